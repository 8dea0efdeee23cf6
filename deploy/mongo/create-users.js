// Runs once, on an empty data volume (docker-entrypoint-initdb.d), as the root user.
// One user per service, allowed to read and write its own database only; passwords from secrets.
const fs = require("fs");
for (const service of ["training", "survey", "evaluation", "rewards"]) {
  const pwd = fs.readFileSync(`/run/secrets/mongo_${service}_password`, "utf8").trim();
  db.getSiblingDB("admin").createUser({
    user: service,
    pwd: pwd,
    roles: [{ role: "readWrite", db: `mutu_${service}` }],
  });
}
