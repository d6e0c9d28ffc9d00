"""docs/deploy.md, read as a test reads it: the blocks marked `<!-- deploy-test: NAME -->`
(the settings file, the service, the upgrade, the first admin, the cron lines), with the
guide's `${NAME}` values and its fixed paths replaced by the test's own.

The test runs what this returns and nothing else, so a command changed in the guide is
the command the test runs."""

from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
# The paths the guide names, longest first (a machine's layout, not a value to choose).
ENV_FILE = "/etc/gemba/gemba.env"
VENV = "/srv/gemba/venv"
INSTANCE = "/var/lib/gemba"
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
_BLOCK = re.compile(r"<!-- deploy-test: ([\w-]+) -->\n```[\w-]*\n(.*?)\n```", re.DOTALL)


def blocks(text: str | None = None) -> dict[str, str]:
    """The guide's marked blocks by name."""
    found: dict[str, str] = {}
    for name, body in _BLOCK.findall(text if text is not None else GUIDE.read_text()):
        assert name not in found, f"docs/deploy.md marks two blocks {name!r}"
        found[name] = body
    return found


def placeholders(text: str) -> set[str]:
    """The `${NAME}`s a block uses (a bare `$NAME` is the shell's or systemd's own)."""
    return set(_PLACEHOLDER.findall(text))


def fill(text: str, values: dict[str, str]) -> str:
    """Each `${NAME}` replaced by the test's value; a name it has none for fails."""
    missing = placeholders(text) - set(values)
    assert not missing, f"docs/deploy.md uses values the test does not fill: {missing}"
    return _PLACEHOLDER.sub(lambda m: values[m[1]], text)


@dataclass
class Guide:
    """The guide's blocks with the test's values filled in and its paths moved."""

    values: dict[str, str]
    paths: dict[str, str]
    raw: dict[str, str] = field(default_factory=blocks)

    def block(self, name: str) -> str:
        assert name in self.raw, f"docs/deploy.md has no block marked deploy-test: {name}"
        body = fill(self.raw[name], self.values)
        for doc_path, ours in sorted(self.paths.items(), key=lambda p: -len(p[0])):
            body = body.replace(doc_path, ours)
        return body

    def write_env_file(self) -> Path:
        """The settings file, written where the commands that source it will look."""
        path = Path(self.paths[ENV_FILE])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.block("env") + "\n")
        path.chmod(0o600)
        return path

    def environment(self) -> dict[str, str]:
        """The settings as systemd's EnvironmentFile gives them to the service:
        KEY=value lines, comments and blank lines left out, quotes removed."""
        env: dict[str, str] = {}
        for line in self.block("env").splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            (word,) = shlex.split(line)
            key, _, value = word.partition("=")
            env[key] = value
        return env

    def service_command(self) -> list[str]:
        """The service's ExecStart, split as systemd splits it; checks that it reads the
        settings file the other blocks write."""
        unit = self.block("app-server")
        lines = dict(line.split("=", 1) for line in unit.splitlines() if re.match(r"^\w+=", line))
        assert lines.get("EnvironmentFile") == self.paths[ENV_FILE], lines
        return shlex.split(lines["ExecStart"])

    def cron_commands(self) -> list[str]:
        """Each crontab line's command (after the five time fields)."""
        commands = []
        for line in self.block("cron").splitlines():
            if not line.strip() or line.startswith("#") or re.match(r"^\w+=", line):
                continue
            commands.append(line.split(None, 5)[5])
        return commands

    def run(
        self, script: str, base_env: dict[str, str], cwd: Path, stdin: str = ""
    ) -> subprocess.CompletedProcess:
        """A shell block or cron command as /bin/sh runs it, stopping at the first error.
        In a session of its own, as under cron: with no terminal to open, a password
        prompt reads standard input instead of waiting for someone at the keyboard."""
        return subprocess.run(  # noqa: S603 (the guide's own commands)
            ["/bin/sh", "-e", "-c", script],
            env=base_env,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            start_new_session=True,
        )
