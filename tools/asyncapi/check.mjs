// Parse AsyncAPI documents with the official parser; print every diagnostic as one JSON line.
// Usage: node check.mjs FILE...  Exit status 1 when any document has an error diagnostic.
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';

const parser = new Parser();
let failed = false;
for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await fromFile(parser, file).parse();
  for (const d of diagnostics) {
    const severity = DiagnosticSeverity[d.severity].toLowerCase();
    if (d.severity === DiagnosticSeverity.Error) failed = true;
    console.log(JSON.stringify({ file, severity, code: d.code, path: d.path.join('.'), message: d.message }));
  }
  if (document === undefined) failed = true;
}
process.exit(failed ? 1 : 0);
