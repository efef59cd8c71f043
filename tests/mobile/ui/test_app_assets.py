"""The app's non-visual parts: catalogs in step with the code, translations complete and faithful,
bundled HJ 1312 data in step with domain.json, font lookup order, and the thin-layer rule."""
from __future__ import annotations

import ast
import gettext
import json
import re
from pathlib import Path

import pytest

from mobile.tools import compile_catalogs, extract_strings, gen_categories

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "mobile" / "app"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def test_catalogs_hold_every_string_of_the_code():
    assert extract_strings.main(["--check"]) == 0, "run python mobile/tools/extract_strings.py"


def test_compiled_catalogs_match_their_po_files():
    assert compile_catalogs.main(["--check"]) == 0, "run python mobile/tools/compile_catalogs.py"


def test_every_string_has_a_chinese_translation_with_the_same_placeholders():
    strings = extract_strings.extract(extract_strings.sources())
    zh = gettext.translation("outfallwatch", str(ROOT / "mobile" / "locale"), ["zh_CN"])
    missing, broken = [], []
    for msgid, _plural in strings:
        text = zh.gettext(msgid)
        if text == msgid and msgid not in ("COD",):  # a few technical words read the same
            missing.append(msgid)
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(msgid)):
            broken.append((msgid, text))
    assert not missing, f"untranslated: {missing}"
    assert not broken, f"placeholders differ: {broken}"


def test_mo_compiler_reads_context_plurals_and_skips_fuzzy(tmp_path):
    po = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
          'msgctxt "menu"\nmsgid "Open"\nmsgstr "打开"\n\n'
          '#, fuzzy\nmsgid "Close"\nmsgstr "关闭"\n\n'
          'msgid "one file"\nmsgid_plural "{n} files"\nmsgstr[0] "{n} 个文件"\n\n'
          'msgid "multi"\nmsgstr ""\n"第一行"\n"第二行"\n')
    mo = tmp_path / "x.mo"
    mo.write_bytes(compile_catalogs.build_mo(compile_catalogs.parse_po(po)))
    with open(mo, "rb") as f:
        t = gettext.GNUTranslations(f)
    assert t.pgettext("menu", "Open") == "打开"
    assert t.gettext("Close") == "Close"  # fuzzy entries are not used
    assert t.ngettext("one file", "{n} files", 3) == "{n} 个文件"
    assert t.gettext("multi") == "第一行第二行"


def test_language_switch_changes_the_words():
    from mobile.app import i18n

    try:
        i18n.set_language("en")
        assert i18n._("Sign in") == "Sign in"
        i18n.set_language("zh_CN")
        assert i18n._("Sign in") == "登录"
        with pytest.raises(ValueError):
            i18n.set_language("fr")
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)


def test_bundled_hj1312_subtypes_match_domain_json():
    domain = json.loads(gen_categories.DOMAIN.read_text(encoding="utf-8"))
    assert gen_categories.OUT.read_text(encoding="utf-8") == gen_categories.render(domain), \
        "run python mobile/tools/gen_categories.py"
    bundle = gen_categories.build(domain)
    assert set(bundle) == {"INDUSTRIAL", "URBAN_SEWAGE_PLANT", "AGRICULTURAL", "OTHER"}
    assert all(r["id"].split(".")[0] == gen_categories.CATEGORY_IDS[cat] for cat, rows in bundle.items()
               for r in rows)


def test_category_labels_match_the_standard_names():
    from mobile.app import labels

    domain = json.loads(gen_categories.DOMAIN.read_text(encoding="utf-8"))
    zh = gettext.translation("outfallwatch", str(ROOT / "mobile" / "locale"), ["zh_CN"])
    by_id = {c["id"]: c["name_zh"] for c in domain["outfall_categories"]}
    for api, cid in gen_categories.CATEGORY_IDS.items():
        assert zh.gettext(labels.CATEGORIES[api]) == by_id[cid]


def test_font_lookup_prefers_packaged_assets(tmp_path):
    from mobile.app.fonts import find_cjk_font

    system = tmp_path / "system.ttc"
    system.write_bytes(b"x")
    assets = tmp_path / "assets"
    assets.mkdir()
    assert find_cjk_font(assets, (str(tmp_path / "missing.ttc"), str(system)), package=False) == system
    (assets / "README.md").write_text("not a font")
    (assets / "empty.ttf").write_bytes(b"")
    assert find_cjk_font(assets, (str(system),), package=False) == system
    (assets / "wqy.ttc").write_bytes(b"font")
    assert find_cjk_font(assets, (str(system),)) == assets / "wqy.ttc"
    assert find_cjk_font(tmp_path / "none", (), package=False) is None


def test_the_app_brings_its_own_cjk_font(tmp_path):
    """No system font needed: the project's install carries Noto Sans CJK (OFL), and the Simplified
    Chinese face is copied out of the collection (Kivy opens face 0, the Japanese one)."""
    import noto_cjk_sans_otc

    from mobile.app.fonts import SC_FACE, _faces, extract_face, face_name, find_cjk_font

    font = find_cjk_font(tmp_path / "no-assets", (), cache_dir=tmp_path / "cache")
    assert font is not None and font.parent == tmp_path / "cache"
    data = font.read_bytes()
    assert data[:4] == b"OTTO" and face_name(data, 0) == SC_FACE
    again = find_cjk_font(tmp_path / "no-assets", (), cache_dir=tmp_path / "cache")
    assert again == font  # extracted once
    collection = Path(str(noto_cjk_sans_otc.FONT_PATH))
    faces = [face_name(collection.read_bytes(), f) for f in _faces(collection.read_bytes())]
    assert faces[0] == "Noto Sans CJK JP" and SC_FACE in faces
    with pytest.raises(ValueError, match="no face"):
        extract_face(collection, "Comic Sans", tmp_path / "x.otf")
    from importlib.metadata import distribution

    dist = distribution("noto-cjk-sans-otc")  # the licence checked: SIL Open Font License 1.1
    assert dist.metadata["License-Expression"] == "OFL-1.1"
    licence = next(f for f in dist.files if f.name == "LICENSE")
    assert "SIL OPEN FONT LICENSE" in licence.read_text(encoding="utf-8").upper()


FORBIDDEN_IMPORTS = {"httpx", "requests", "urllib", "sqlite3", "http", "socket"}


def test_kivy_layer_does_no_http_or_sql():
    """Screens and widgets call mobile.core (and the small lookups adapter), never the network or SQL."""
    offenders = []
    for path in APP.rglob("*.py"):
        if path.name == "lookups.py":  # the documented adapter: core Client calls, no Kivy
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN_IMPORTS]
            if isinstance(node, ast.Attribute) and node.attr in ("execute", "_http", "executescript"):
                offenders.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert not offenders, offenders


def test_lookups_adapter_does_not_import_kivy():
    src = (APP / "lookups.py").read_text(encoding="utf-8")
    assert "kivy" not in src.lower().replace("no kivy here", "")


def test_options_parse_desktop_flags():
    from mobile.app.options import parse

    o = parse(["--server", "http://h:1", "--gps", "29.56,106.55", "--data-dir", "/tmp/x", "--lang", "en"])
    assert (o.server, o.gps, o.data_dir, o.language) == ("http://h:1", (29.56, 106.55), "/tmp/x", "en")
    with pytest.raises(SystemExit):
        parse(["--gps", "91,0"])
    with pytest.raises(SystemExit):
        parse(["--gps", "1,2", "--nmea", "f.nmea"])


def test_failure_reasons_say_what_they_mean_in_the_ui_language():
    from mobile.app import i18n
    from mobile.app.labels import error_reason
    from mobile.core.store import ErrorInfo

    rejected = ErrorInfo("UPLOAD_INVALID", "photo is 12 KB, declared 40 KB")
    try:
        i18n.set_language("zh_CN")
        assert error_reason(rejected) == "服务器拒收照片（服务器原文：photo is 12 KB, declared 40 KB）"
        assert error_reason(ErrorInfo("TRANSPORT", "timed out")).startswith("无网络")
        i18n.set_language("en")
        assert error_reason(rejected) == "The server rejected the photo: photo is 12 KB, declared 40 KB"
    finally:
        i18n.set_language("zh_CN")
    assert error_reason(ErrorInfo("SOMETHING_NEW", "as is")) == "as is" and error_reason(None) == ""


def test_task_titles_say_parameters_in_words_not_codes():
    """Issue 16 item 9: a title written with API codes (an older server's, a desk's) reads in words."""
    from mobile.app import i18n, labels

    try:
        i18n.set_language("zh_CN")
        assert labels.readable_title("排口 500103-00007 超标：COD、NH3_N") == "排口 500103-00007 超标：化学需氧量、氨氮"
        assert labels.readable_title("WATER_TEMP/CODMN 异常") == "水温/高锰酸盐指数 异常"
        assert labels.readable_title("CODMN_X 与 xCOD 不是代码") == "CODMN_X 与 xCOD 不是代码"
        i18n.set_language("en")
        assert labels.readable_title("exceeds: NH3_N") == "exceeds: Ammonia nitrogen"
        assert labels.readable_title(None) == ""
    finally:
        i18n.set_language("zh_CN")
