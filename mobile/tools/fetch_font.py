"""Copy the app's CJK font into mobile/assets/fonts/ so buildozer packages it into the APK.

The font is not committed (it is ~16 MB); run this before `buildozer android debug`.
    python mobile/tools/fetch_font.py [FONT_FILE]
Without an argument it takes the Simplified Chinese face of the noto-cjk-sans-otc package (Noto Sans
CJK, SIL OFL 1.1, installed by pip install -e '.[mobile]'), else a system font.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mobile.app.fonts import ASSET_DIR, SYSTEM_CANDIDATES, find_cjk_font  # noqa: E402


def main(argv: list[str]) -> int:
    if argv:
        src = Path(argv[0])
        if not src.is_file():
            print(f"no such font file: {src}", file=sys.stderr)
            return 1
    else:
        # Skip the asset directory itself: we want a system font to copy from.
        src = find_cjk_font(asset_dir=Path("/nonexistent"), system=SYSTEM_CANDIDATES)
        if src is None:
            print("no CJK font found; pip install -e '.[mobile]' (noto-cjk-sans-otc), or pass a font file",
                  file=sys.stderr)
            return 1
    ASSET_DIR.mkdir(parents=True, exist_ok=True)
    dest = ASSET_DIR / src.name
    shutil.copyfile(src, dest)
    print(f"copied {src} -> {dest} ({dest.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
