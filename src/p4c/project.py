"""The project folder. Kept free of heavy imports: the CLI builds it before any command runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from p4c.errors import P4CError

MAX_CONFIG_BYTES = 1024 * 1024

if TYPE_CHECKING:
    from p4c.config import Config


@dataclass(frozen=True)
class Project:
    """A project folder: config/criteria.yaml, data/raw/ (never written) and data/processed/."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / "config" / "criteria.yaml"

    @property
    def raw_dir(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.root / "data" / "processed"

    def load_config(self) -> Config:
        from p4c.config import parse_config

        if not self.root.is_dir():
            raise P4CError(
                f"project folder {self.root} does not exist",
                hint="Create one with `p4c init DIR`, or pass --project DIR.",
            )
        if self.config_path.is_file():
            try:
                size = self.config_path.stat().st_size
                if size > MAX_CONFIG_BYTES:  # read as a whole, so refused before it is read
                    raise P4CError(
                        f"{self.config_path}: the config file is {size / 1048576:.1f} MB; "
                        f"the limit is {MAX_CONFIG_BYTES // 1048576} MB",
                        hint="A config is a few KB of text: check that this is the right file.",
                    )
                text = self.config_path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise P4CError(
                    f"{self.config_path}: not UTF-8 text (byte {exc.start})",
                    hint="Save the file as UTF-8 in your editor.",
                ) from None
            except OSError as exc:
                raise P4CError(
                    f"cannot read {self.config_path}: {exc.strerror}",
                    hint="Check that the file exists and that you may read it.",
                ) from None
            return parse_config(text, str(self.config_path))
        raise P4CError(
            f"no config file at {self.config_path}",
            hint="Run `p4c init .` to create the default one, or pass --project DIR.",
        )
