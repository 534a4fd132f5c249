"""Every word the app shows, in Chinese (the default) and English.

Map words (layer names, legend, tooltips) come from :mod:`layers.definitions`; these are the page's.
"""

from __future__ import annotations

import streamlit as st

from ui.state import K_LANG

LANGS = ("zh", "en")
LANG_NAMES = {"zh": "中文", "en": "English"}

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"zh": "社区资产地图", "en": "Community asset mapper"},
    "language": {"zh": "语言 · Language", "en": "Language · 语言"},
    "layout": {"zh": "布局", "en": "Layout"},
    "inventory": {"zh": "清单", "en": "Inventory"},
    "profile": {"zh": "基本情况", "en": "Profile"},
    # sidebar
    "compound_section": {"zh": "小区", "en": "Compound"},
    "extract": {"zh": "OSM 数据文件", "en": "OSM extract"},
    "compound": {"zh": "小区", "en": "Compound"},
    "no_name": {"zh": "（无名称）", "en": "(no name)"},
    "upload": {"zh": "上传 OSM 文件", "en": "Upload an OSM extract"},
    "upload_help": {
        "zh": ".osm 或 .osm.pbf，不超过 {mb} MB；文件只保存在本服务器上。",
        "en": ".osm or .osm.pbf, at most {mb} MB; the file stays on this server.",
    },
    "upload_too_big": {
        "zh": "文件有 {size:.1f} MB，超过 {mb} MB 的上限；请裁剪出更小的范围。",
        "en": "The file has {size:.1f} MB, over the {mb} MB limit; cut a smaller extract.",
    },
    "uploaded": {"zh": "已上传：{name}", "en": "Uploaded: {name}"},
    "numbering": {"zh": "编号", "en": "Numbering"},
    "main_gate": {"zh": "主入口", "en": "Main gate"},
    "gate_auto": {"zh": "自动识别：{name}", "en": "Detected: {name}"},
    "gate_point": {"zh": "边界上的点 {point}", "en": "Point on the boundary {point}"},
    "method": {"zh": "编号方法", "en": "Method"},
    "method_polar": {"zh": "极角（从小区中心看）", "en": "Polar (seen from the centre)"},
    "method_perimeter": {"zh": "沿边界行走", "en": "Walk along the boundary"},
    "scheme": {"zh": "编号方式", "en": "Scheme"},
    "scheme_global": {"zh": "统一编号 1…N", "en": "One count 1…N"},
    "scheme_category": {"zh": "分类编号 A01/B01/C01", "en": "Per category A01/B01/C01"},
    "basemap": {"zh": "底图", "en": "Base map"},
    "basemap_online": {
        "zh": "瓦片底图需要联网；离线时以小区的建筑、道路和绿地作底图。",
        "en": "Tile base maps need the internet; offline, the compound's buildings, roads and green are the base map.",
    },
    "tianditu_key": {"zh": "天地图密钥（tk）", "en": "Tianditu key (tk)"},
    "error": {"zh": "无法完成：", "en": "Cannot do this:"},
    # layout page
    "gate_hint": {
        "zh": "点击地图上的出入口（灰色方块）即可将其设为主入口，编号随之更新。",
        "en": "Click a gate (grey square) on the map to make it the main gate; the numbers follow.",
    },
    "pick_boundary": {"zh": "在边界上点选主入口", "en": "Pick the main gate on the boundary"},
    "pick_boundary_help": {
        "zh": "打开后，点击地图上小区边界附近的位置，以边界上最近的点作为主入口。",
        "en": "When on, click the map near the compound's boundary; its nearest boundary point becomes the main gate.",
    },
    "too_far": {
        "zh": "点击处距小区边界 {dist:.0f} 米（超过 {max:.0f} 米），请点在边界附近。",
        "en": "The click is {dist:.0f} m from the boundary (more than {max:.0f} m); click near the boundary.",
    },
    "why_gate": {"zh": "选择依据", "en": "Why this gate"},
    "numbered": {"zh": "共 {n} 项资产", "en": "{n} assets"},
    "count": {"zh": "数量", "en": "Count"},
    "selected": {"zh": "选中的资产", "en": "Selected asset"},
    "profile_empty": {"zh": "尚未填写基本情况。", "en": "No profile yet."},
    "edit_profile": {"zh": "编辑基本情况", "en": "Edit the profile"},
    "resources": {"zh": "已有资源", "en": "Resources already there"},
    # inventory page
    "search": {"zh": "搜索编号、名称或类型", "en": "Search number, name or kind"},
    "location": {"zh": "位置", "en": "Location"},
    "all": {"zh": "全部", "en": "All"},
    "shown_of": {"zh": "显示 {shown} / {total} 项", "en": "Showing {shown} of {total}"},
    "download_csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "corrections": {"zh": "修正", "en": "Corrections"},
    "corrections_help": {
        "zh": "修正按小区保存，从 OSM 重新生成后依然有效，编号随之更新。",
        "en": "Corrections are kept per compound, survive a rebuild from OSM, and the numbers follow.",
    },
    "pick_asset": {"zh": "选择资产", "en": "Asset"},
    "hide": {"zh": "隐藏此资产（不参与编号）", "en": "Hide this asset (not numbered)"},
    "save": {"zh": "保存修正", "en": "Save the correction"},
    "revert": {"zh": "撤销对此资产的修正", "en": "Undo the corrections to this asset"},
    "saved": {"zh": "已保存。", "en": "Saved."},
    "hidden_assets": {"zh": "已隐藏的资产", "en": "Hidden assets"},
    "show_again": {"zh": "恢复显示", "en": "Show again"},
    "add_asset": {"zh": "补充缺失的资产", "en": "Add a missing asset"},
    "add_hint": {"zh": "先在地图上点击资产的位置。", "en": "First click the asset's place on the map."},
    "position": {"zh": "位置（WGS-84）", "en": "Position (WGS-84)"},
    "add": {"zh": "添加", "en": "Add"},
    "manual_assets": {"zh": "手动添加的资产", "en": "Assets added by hand"},
    "remove": {"zh": "删除", "en": "Remove"},
    "edits_file": {"zh": "修正文件", "en": "Edits file"},
    "stale": {
        "zh": "{n} 条修正对应的资产已不在数据中（保留在文件里）：{ids}",
        "en": "{n} corrections name assets no longer in the data (kept in the file): {ids}",
    },
    # profile page
    "profile_help": {
        "zh": "专家咨询阶段的前两步：收集小区基本情况，列出已有资源。保存在小区自己的文件里。",
        "en": "The expert stage's first two steps: the compound's profile and the resources already there. "
        "Kept in the compound's own file.",
    },
    "resource_kind": {"zh": "类型", "en": "Kind"},
    "resource_name": {"zh": "名称", "en": "Name"},
    "resource_provider": {"zh": "提供方", "en": "Provided by"},
    "resource_amount": {"zh": "金额（元）", "en": "Amount (CNY)"},
    "resource_note": {"zh": "备注", "en": "Note"},
    "save_profile": {"zh": "保存基本情况", "en": "Save the profile"},
    "profile_file": {"zh": "文件", "en": "File"},
    "aged_count": {"zh": "60岁及以上约 {n} 人", "en": "About {n} residents aged 60+"},
}


def lang() -> str:
    """The language of this session: ``zh`` unless the user switched."""
    value = st.session_state.get(K_LANG, "zh")
    return value if value in LANGS else "zh"


def t(key: str, **values: object) -> str:
    """Return the UI text ``key`` in the session's language, formatted with ``values``."""
    text = TEXT[key][lang()]
    return text.format(**values) if values else text
