"""The Prometheus configuration and alert rules are valid, and the rules fire as their unit tests say."""

import shutil
import subprocess
from pathlib import Path

import yaml

PROMETHEUS = Path(__file__).parents[2] / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PROMTOOL, *args], cwd=PROMETHEUS, capture_output=True, text=True, check=False)


def test_alert_rules_pass_their_promtool_unit_tests() -> None:
    result = promtool("test", "rules", "alert-rules.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_scrape_config_and_rules_are_valid() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 rules found" in result.stdout


def test_every_alert_the_issue_asks_for_is_tested() -> None:
    rules = yaml.safe_load((PROMETHEUS / "alert-rules.yml").read_text())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    tests = yaml.safe_load((PROMETHEUS / "alert-rules.test.yml").read_text())["tests"]
    tested = {case["alertname"] for test in tests for case in test["alert_rule_test"] if case["exp_alerts"]}
    assert alerts == tested
    wanted = {
        "MutuServiceDown",
        "MutuOutboxBacklogGrowing",
        "MutuDeadLetters",
        "MutuConsumerLag",
        "MutuIkmGradeD",
        "MutuUnmetTrainingDemand",
    }
    assert wanted <= alerts


def test_scrape_config_finds_every_replica_of_the_four_services() -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    mutu = next(job for job in config["scrape_configs"] if job["job_name"] == "mutu")
    names = {name for sd in mutu["dns_sd_configs"] for name in sd["names"]}
    assert names == {"training", "survey", "evaluation", "rewards"}
    assert "static_configs" not in mutu
