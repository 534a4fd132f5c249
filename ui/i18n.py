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
    "sites": {"zh": "候选点位", "en": "Candidate sites"},
    # sites page (候选点位)
    "sites_intro": {
        "zh": "按《城市居住区规划设计标准》(GB 50180-2018) 的步行距离，测算各类设施对本小区住宅楼的覆盖，"
        "并对可改造的空间排序。每个点位都附一句理由。",
        "en": "Walking coverage of the compound's housing against GB 50180-2018, and the spaces that could "
        "change, ranked, each with its reason.",
    },
    "sites_weights": {"zh": "权重（拖动即重新排序）", "en": "Weights (drag to re-rank)"},
    "sites_demand": {"zh": "居民需求", "en": "Demand"},
    "sites_gap": {"zh": "补缺", "en": "Gap filled"},
    "sites_suitability": {"zh": "场地条件", "en": "Suitability"},
    "sites_profile": {"zh": "老龄化", "en": "Profile (aged 60+)"},
    "sites_sites": {"zh": "点位排序", "en": "Ranked sites"},
    "sites_coverage": {"zh": "设施覆盖", "en": "Facility coverage"},
    "sites_service_area": {"zh": "在地图上显示步行服务范围", "en": "Show the walking service area of"},
    "sites_none": {"zh": "（不显示）", "en": "(none)"},
    "sites_recalled": {"zh": "默认值，待核对标准原文", "en": "default, check the standard's text"},
    "sites_zones": {"zh": "监督分区（就近划片）", "en": "Supervision zones (就近划片)"},
    "sites_works": {"zh": "表决选定的工程", "en": "Works chosen by the vote"},
    "sites_join": {"zh": "步行相距（米）以内的工程合为一片", "en": "Works within this walk (m) share a zone"},
    "sites_download": {"zh": "下载 CSV", "en": "Download CSV"},
    "sites_no_sites": {"zh": "没有找到候选点位。", "en": "No candidate site found."},
    "sites_spots_note": {"zh": "计入 {n} 个居民问题点。", "en": "{n} residents' spots counted."},
    "sites_computing": {"zh": "正在计算步行覆盖……", "en": "Measuring walking coverage…"},
    "export": {"zh": "导出", "en": "Export"},
    "spots": {"zh": "问题点", "en": "Spots"},
    "vote": {"zh": "投票", "en": "Vote"},
    # residents and planners (spots and vote pages, ui.roles)
    "warning": {"zh": "请注意：", "en": "Note:"},
    "pseudonym": {"zh": "你的称呼（化名即可）", "en": "Your name (a pseudonym is fine)"},
    "pseudonym_help": {
        "zh": "显示在你标出的问题点旁；同一浏览器会话内的问题点、支持和投票都用这个称呼。",
        "en": "Shown beside the spots you mark; your spots, supports and ballot in this browser session use it.",
    },
    "planner": {"zh": "规划师", "en": "Planner"},
    "sign_in": {"zh": "规划师登录", "en": "Planner sign-in"},
    "sign_in_oidc": {"zh": "用单位账号登录", "en": "Sign in with your organisation"},
    "sign_out": {"zh": "退出登录", "en": "Sign out"},
    "signed_in_as": {"zh": "已登录：{name}", "en": "Signed in: {name}"},
    "planner_name": {"zh": "用户名", "en": "Name"},
    "password": {"zh": "密码", "en": "Password"},
    "signin_paused": {
        "zh": "登录失败次数过多，请 {s:.0f} 秒后再试。",
        "en": "Too many failed sign-ins; try again in {s:.0f} seconds.",
    },
    # spots page (问题点)
    "spots_heat": {"zh": "热力图", "en": "Heat map"},
    "spots_heat_help": {
        "zh": "以热力图显示问题点的密集程度（支持越多越热）；图层按钮可同时打开标记。",
        "en": "Show where spots gather (more supports, more heat); the layer button shows the markers too.",
    },
    "spots_blur_note": {
        "zh": "为保护居民隐私，公开地图上的位置已模糊到 {m:.0f} 米网格（你自己的问题点除外）；规划师登录后可见准确位置。",
        "en": "To protect residents, places on the public map are snapped to a {m:.0f} m grid (except your own "
        "spots); signed-in planners see exact places.",
    },
    "spots_exact_note": {
        "zh": "规划师视图：准确位置，含已隐藏的问题点（虚线）。",
        "en": "Planner's view: exact places, hidden spots included (dashed).",
    },
    "spots_add": {"zh": "标出问题点", "en": "Mark a spot"},
    "spots_click_hint": {
        "zh": "在地图上点击问题所在的位置（停车乱、路灯暗、路面坏、缺座椅……），再填写说明。",
        "en": "Click the map where the problem is (parking, dark corner, broken paving, no seat…), then describe it.",
    },
    "spots_too_far": {
        "zh": "点击处在小区外约 {dist:.0f} 米（超过 {max:.0f} 米），请点在小区内或附近。",
        "en": "The click is about {dist:.0f} m outside the compound (more than {max:.0f} m); click inside or near it.",
    },
    "spots_no_near": {"zh": "{m:.0f} 米内没有编号的资产", "en": "No numbered asset within {m:.0f} m"},
    "spots_category": {"zh": "问题类别", "en": "Category"},
    "spots_similar": {
        "zh": "{m:.0f} 米内已有 {n} 个同类问题点。若说的是同一件事，支持它比新建一个更有用。",
        "en": "{n} open spots of this category lie within {m:.0f} m. If it is the same problem, support it "
        "instead of adding another.",
    },
    "spots_n_support": {"zh": "{n} 人支持", "en": "{n} supporting"},
    "spots_support_this": {"zh": "支持这一条", "en": "Support this one"},
    "spots_text": {"zh": "问题说明（不超过 500 字）", "en": "What is wrong (at most 500 characters)"},
    "spots_text_hint": {
        "zh": "例如：晚上这段路没有路灯，老人走路不安全。",
        "en": "E.g. no street light here at night; unsafe for older residents.",
    },
    "spots_photo": {"zh": "照片（可选）", "en": "Photo (optional)"},
    "spots_photo_help": {
        "zh": "JPEG、PNG 或 HEIC，不超过 {mb} MB。照片会重新压缩，拍摄时间和位置等信息会被删除。",
        "en": "JPEG, PNG or HEIC, at most {mb} MB. The photo is re-encoded; its time, place and camera data are removed.",
    },
    "spots_submit": {"zh": "提交问题点", "en": "Add the spot"},
    "spots_cancel": {"zh": "取消", "en": "Cancel"},
    "spots_need_name": {"zh": "请先在上方填写你的称呼。", "en": "First give your name above."},
    "spots_added": {"zh": "已添加问题点 #{id}，谢谢！", "en": "Spot #{id} added, thank you!"},
    "spots_supported": {"zh": "已支持问题点 #{id}。", "en": "You support spot #{id}."},
    "spots_removed": {"zh": "已删除你的问题点 #{id}。", "en": "Your spot #{id} is removed."},
    "spots_selected": {"zh": "查看问题点", "en": "View a spot"},
    "spots_pick": {
        "zh": "选择问题点（或点击地图上的圆点）",
        "en": "Choose a spot (or click its dot on the map)",
    },
    "spots_pick_hint": {"zh": "选择问题点…", "en": "Choose a spot…"},
    "spots_hidden": {"zh": "已被规划师隐藏，原因：", "en": "Hidden by a planner, because:"},
    "spots_yours": {"zh": "这是你标出的问题点。", "en": "You marked this spot."},
    "spots_remove": {"zh": "删除我的问题点", "en": "Remove my spot"},
    "spots_support": {"zh": "我也遇到这个问题", "en": "Me too: support it"},
    "spots_supported_already": {"zh": "已支持", "en": "Supported"},
    "spots_list": {"zh": "全部问题点（{n}）", "en": "All spots ({n})"},
    "spots_only_mine": {"zh": "只看我的", "en": "Mine only"},
    "spots_col_id": {"zh": "编号", "en": "No."},
    "spots_col_category": {"zh": "类别", "en": "Category"},
    "spots_col_text": {"zh": "说明", "en": "Text"},
    "spots_col_near": {"zh": "附近资产", "en": "Near"},
    "spots_col_supports": {"zh": "支持", "en": "Supports"},
    "spots_col_author": {"zh": "提出人", "en": "By"},
    "spots_col_time": {"zh": "时间（北京时间）", "en": "Time (Beijing)"},
    "spots_col_photo": {"zh": "照片", "en": "Photo"},
    "spots_col_status": {"zh": "状态", "en": "Status"},
    "spots_status_open": {"zh": "公开", "en": "open"},
    "spots_status_hidden": {"zh": "已隐藏", "en": "hidden"},
    "spots_status_removed": {"zh": "已删除", "en": "removed"},
    "spots_status_merged": {"zh": "已合并", "en": "merged"},
    # vote page (投票)
    "vote_intro": {
        "zh": "居民议事：问题点整理成议题后，每位居民用手中的圆点投票，可集中投给一项，也可分给几项；"
        "结束后公布排序和前几项。",
        "en": "Open Space vote: spots become topics; each resident puts their dots on one topic or spreads them; "
        "closing publishes the ranking and the top topics.",
    },
    "vote_session": {"zh": "投票场次", "en": "Session"},
    "vote_open": {"zh": "进行中", "en": "open"},
    "vote_closed": {"zh": "已公布", "en": "published"},
    "vote_mode_named": {"zh": "记名", "en": "named"},
    "vote_mode_anonymous": {"zh": "不记名", "en": "anonymous"},
    "vote_no_session": {
        "zh": "本小区还没有投票场次；规划师开启后即可投票。",
        "en": "No vote session for this compound yet; a planner opens one.",
    },
    "vote_no_session_planner": {
        "zh": "本小区还没有投票场次：在下方“场次”中开启一场。",
        "en": "No vote session for this compound yet: open one under “Session” below.",
    },
    "vote_topics": {"zh": "议题（{n}）", "en": "Topics ({n})"},
    "vote_topic_n": {"zh": "议题 {id}", "en": "Topic {id}"},
    "vote_from": {"zh": "来自问题点 {spots}", "en": "from spots {spots}"},
    "vote_rules": {
        "zh": "每人 {dots} 个圆点 · {mode}投票 · 结束后公布前 {top} 项",
        "en": "{dots} dots each · {mode} ballots · the top {top} are published at the close",
    },
    "vote_no_topics": {
        "zh": "还没有议题；规划师正在整理。",
        "en": "No topics yet; the planner is preparing them.",
    },
    "vote_ballot": {"zh": "投出你的 {dots} 个圆点", "en": "Place your {dots} dots"},
    "vote_named_note": {
        "zh": "记名投票：你的称呼和选择会随结果公布。",
        "en": "Named ballots: your name and choices are published with the results.",
    },
    "vote_anonymous_note": {
        "zh": "不记名投票：不保存你的称呼，只防止重复投票。",
        "en": "Anonymous ballots: your name is not kept; only a second ballot is stopped.",
    },
    "vote_dots_on": {"zh": "议题 {id} 的圆点", "en": "Dots on topic {id}"},
    "vote_dots_left": {"zh": "还剩 {left} / {dots} 个圆点", "en": "{left} of {dots} dots left"},
    "vote_submit": {"zh": "投票", "en": "Cast my ballot"},
    "vote_cast": {"zh": "你已投票，谢谢参与！", "en": "Your ballot is in, thank you!"},
    "vote_results": {"zh": "投票结果", "en": "Results"},
    "vote_ballots": {"zh": "选票", "en": "Ballots"},
    "vote_paper_count": {"zh": "其中纸质选票 {n} 张", "en": "{n} of them on paper"},
    "vote_dots_cast": {"zh": "圆点", "en": "Dots"},
    "vote_topics_count": {"zh": "议题", "en": "Topics"},
    "vote_top_n": {"zh": "得票最多的 {n} 项：", "en": "The top {n}:"},
    "vote_dots_n": {"zh": "{n} 个圆点", "en": "{n} dots"},
    "vote_col_rank": {"zh": "名次", "en": "Rank"},
    "vote_col_topic_id": {"zh": "议题编号", "en": "Topic"},
    "vote_col_title": {"zh": "议题", "en": "Title"},
    "vote_col_category": {"zh": "类别", "en": "Category"},
    "vote_col_dots": {"zh": "圆点", "en": "Dots"},
    "vote_col_voters": {"zh": "投票人数", "en": "Voters"},
    "vote_col_supports": {"zh": "支持人数", "en": "Supporters"},
    "vote_col_top": {"zh": "前几项", "en": "Top"},
    "vote_col_spots": {"zh": "问题点", "en": "Spots"},
    "vote_col_voter": {"zh": "投票人", "en": "Voter"},
    "vote_col_choice": {"zh": "选择", "en": "Choices"},
    "vote_col_reason": {"zh": "处理原因", "en": "Reason"},
    "vote_col_time": {"zh": "时间", "en": "Time"},
    "vote_col_actor": {"zh": "操作人", "en": "Who"},
    "vote_col_action": {"zh": "操作", "en": "Action"},
    "vote_col_object": {"zh": "对象", "en": "Object"},
    "vote_col_detail": {"zh": "详情", "en": "Detail"},
    "vote_figure": {"zh": "投票结果图", "en": "Results figure"},
    "vote_csv": {"zh": "下载结果 CSV", "en": "Download the results (CSV)"},
    "vote_png": {"zh": "下载结果图 PNG", "en": "Download the figure (PNG)"},
    "vote_named_ballots": {"zh": "记名选票", "en": "Named ballots"},
    "vote_planner_tools": {"zh": "规划师工具", "en": "Planner's tools"},
    "vote_tab_session": {"zh": "场次", "en": "Session"},
    "vote_tab_topics": {"zh": "议题", "en": "Topics"},
    "vote_tab_paper": {"zh": "纸质选票", "en": "Paper ballots"},
    "vote_tab_moderate": {"zh": "审核问题点", "en": "Moderate spots"},
    "vote_tab_audit": {"zh": "操作日志", "en": "Audit log"},
    "vote_new_session": {"zh": "开启新的投票", "en": "Open a new session"},
    "vote_new_title": {"zh": "名称", "en": "Title"},
    "vote_new_title_hint": {
        "zh": "例如：2025 年第一次居民议事会",
        "en": "E.g. First residents' meeting 2025",
    },
    "vote_new_dots": {"zh": "每人圆点数", "en": "Dots each"},
    "vote_new_top": {"zh": "公布前几项", "en": "Top N published"},
    "vote_new_mode": {"zh": "投票方式", "en": "Ballots"},
    "vote_open_button": {"zh": "开启投票", "en": "Open the session"},
    "vote_opened": {"zh": "已开启投票场次 {id}。", "en": "Session {id} is open."},
    "vote_close_title": {"zh": "结束并公布", "en": "Close and publish"},
    "vote_close_note": {
        "zh": "已收到 {ballots} 张选票。结束后不能再投票或修改议题，结果（含前 {top} 项）立即公布。",
        "en": "{ballots} ballots so far. After closing nobody can vote or change topics; the results (with the "
        "top {top}) are published at once.",
    },
    "vote_close_sure": {"zh": "确认结束本场投票", "en": "Yes, close this session"},
    "vote_close_button": {"zh": "结束投票并公布结果", "en": "Close and publish the results"},
    "vote_published": {
        "zh": "投票已结束，结果已公布。",
        "en": "The session is closed and its results published.",
    },
    "vote_need_open": {
        "zh": "先选择或开启一场进行中的投票。",
        "en": "First choose or open a session that is open.",
    },
    "vote_from_spots_title": {"zh": "由问题点生成议题", "en": "Topics from spots"},
    "vote_from_spots": {"zh": "每个选中的问题点成为一个议题", "en": "Each spot chosen becomes a topic"},
    "vote_from_spots_button": {"zh": "生成议题", "en": "Make the topics"},
    "vote_topics_added": {"zh": "已生成 {n} 个议题。", "en": "{n} topics made."},
    "vote_topic_title_h": {"zh": "合并几个问题点为一个议题", "en": "One topic from several spots"},
    "vote_topic_title": {"zh": "议题名称", "en": "Topic title"},
    "vote_topic_spots": {
        "zh": "包含的问题点（支持人数合并计算）",
        "en": "Its spots (their supporters count together)",
    },
    "vote_topic_button": {"zh": "添加议题", "en": "Add the topic"},
    "vote_topic_added": {"zh": "已添加议题 {id}。", "en": "Topic {id} added."},
    "vote_merge_title": {"zh": "合并重复议题", "en": "Merge duplicate topics"},
    "vote_merge_note": {
        "zh": "重复议题的问题点、支持和已投圆点都并入保留的议题。",
        "en": "The duplicates' spots, supports and dots move to the topic kept.",
    },
    "vote_merge_keep": {"zh": "保留的议题", "en": "Keep"},
    "vote_merge_dups": {"zh": "并入它的重复议题", "en": "Duplicates merged into it"},
    "vote_pick_topics": {"zh": "选择议题…", "en": "Choose topics…"},
    "vote_merge_button": {"zh": "合并", "en": "Merge"},
    "vote_merged": {"zh": "已将 {n} 个议题并入议题 {id}。", "en": "{n} topics merged into topic {id}."},
    "vote_paper_voter": {"zh": "选票上的姓名", "en": "Name on the ballot"},
    "vote_paper_serial": {"zh": "选票编号", "en": "Ballot serial number"},
    "vote_paper_button": {"zh": "录入这张选票", "en": "Enter this ballot"},
    "vote_paper_entered": {"zh": "已录入一张纸质选票。", "en": "Paper ballot entered."},
    "vote_mod_spot": {"zh": "问题点", "en": "Spot"},
    "vote_mod_reason": {"zh": "原因（记入日志）", "en": "Reason (kept in the audit log)"},
    "vote_hide": {"zh": "隐藏", "en": "Hide"},
    "vote_restore": {"zh": "恢复显示", "en": "Restore"},
    "vote_hidden": {"zh": "已隐藏问题点 {id}。", "en": "Spot {id} hidden."},
    "vote_restored": {"zh": "已恢复问题点 {id}。", "en": "Spot {id} restored."},
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
    # import page (导入测绘)
    "import_survey": {"zh": "导入测绘", "en": "Import a survey"},
    "imp_intro": {
        "zh": "上传专业测绘图（DXF、压缩的 Shapefile、GPKG、GeoJSON、KML/KMZ、CSV/XLSX），确认坐标系或用控制点配准，"
        "与 OSM 叠加核对后采用。采用后，本小区的清单按测绘图重新生成：测绘的边界和出入口取代 OSM 的，资产与 OSM 合并。",
        "en": "Upload a survey map (DXF, zipped Shapefile, GPKG, GeoJSON, KML/KMZ, CSV/XLSX), confirm its coordinate "
        "system or register it from control points, check it over OSM, and accept it. The compound's inventory is then "
        "rebuilt with it: the survey's boundary and gates replace OSM's, its assets merge with OSM's.",
    },
    "imp_current": {"zh": "本小区当前采用的测绘", "en": "The survey this compound uses"},
    "imp_none": {
        "zh": "本小区尚未采用测绘，清单只来自 OSM。",
        "en": "No survey accepted yet; the inventory comes from OSM alone.",
    },
    "imp_merge": {
        "zh": "{merged} 项与 OSM 的资产合并，{only} 项只见于测绘。",
        "en": "{merged} assets merged with OSM's, {only} found in the survey only.",
    },
    "imp_remove": {"zh": "移除测绘，恢复为只用 OSM", "en": "Remove the survey, back to OSM alone"},
    "imp_removed": {
        "zh": "已移除测绘，清单已按 OSM 重新生成。",
        "en": "Survey removed; the inventory is rebuilt from OSM.",
    },
    "imp_upload": {"zh": "测绘文件", "en": "Survey file"},
    "imp_upload_help": {
        "zh": "一次导入一份测绘：一个文件，或同名 Shapefile 的各部分（.shp、.shx、.dbf、.prj）；合计不超过 {mb} MB。",
        "en": "One survey at a time: one file, or the parts of one Shapefile (.shp, .shx, .dbf, .prj); at most {mb} MB.",
    },
    "imp_crs": {"zh": "坐标系", "en": "Coordinate system"},
    "imp_crs_placeholder": {"zh": "请选择坐标系…", "en": "Choose the coordinate system…"},
    "imp_crs_stated": {"zh": "文件自带：{name}", "en": "Stated in the file: {name}"},
    "imp_crs_local": {
        "zh": "图纸自有坐标（用控制点配准）",
        "en": "The drawing's own grid (register from control points)",
    },
    "imp_crs_other": {"zh": "其他坐标系（输入代码）", "en": "Another system (type its code)"},
    "imp_crs_code": {
        "zh": "EPSG 代码、PROJ 字符串、gcj02（高德/腾讯）或 bd09（百度）",
        "en": "EPSG code, PROJ string, gcj02 (Gaode/Tencent) or bd09 (Baidu)",
    },
    "imp_from_compound": {"zh": "距小区 {km:.1f} 公里", "en": "{km:.1f} km from the compound"},
    "imp_swapped": {"zh": "x、y 互换", "en": "x and y swapped"},
    "imp_lands": {
        "zh": "按此坐标系，测绘落在经度 {lon:.5f}、纬度 {lat:.5f}。",
        "en": "In this system the survey lands at lon {lon:.5f}, lat {lat:.5f}",
    },
    "imp_swap": {
        "zh": "第一个坐标是北坐标（测量 X），交换 x、y",
        "en": "The first coordinate is the northing (surveyors' X): swap x and y",
    },
    "imp_bounds": {
        "zh": "文件中的坐标：x {x0:,.2f}–{x1:,.2f}，y {y0:,.2f}–{y1:,.2f}",
        "en": "Coordinates in the file: x {x0:,.2f}–{x1:,.2f}, y {y0:,.2f}–{y1:,.2f}",
    },
    "imp_choose_crs": {
        "zh": "选择坐标系后，测绘图将叠加在地图上供核对。",
        "en": "Choose the coordinate system to see the survey over the map.",
    },
    "imp_points": {"zh": "控制点", "en": "Control points"},
    "imp_points_help": {
        "zh": "在地图上点击一个在图纸上也能找到的位置（楼角、边界拐点），再输入它在图纸上的 x、y。"
        "至少 3 个点（仿射变换 4 个），分布在图纸各处。",
        "en": "Click a place on the map you can also find on the drawing (a building corner, a boundary corner), "
        "then type its x, y on the drawing. At least 3 points (4 for affine), spread over the drawing.",
    },
    "imp_method": {"zh": "配准方法", "en": "Method"},
    "imp_method_similarity": {"zh": "相似变换（≥3 点）", "en": "Similarity (≥3 points)"},
    "imp_method_affine": {"zh": "仿射变换（≥4 点）", "en": "Affine (≥4 points)"},
    "imp_tolerance": {"zh": "允许的 RMS（米）", "en": "RMS tolerance (m)"},
    "imp_point_name": {"zh": "点名", "en": "Point"},
    "imp_local_x": {"zh": "图上 x", "en": "Drawing x"},
    "imp_local_y": {"zh": "图上 y", "en": "Drawing y"},
    "imp_lon": {"zh": "经度", "en": "Longitude"},
    "imp_lat": {"zh": "纬度", "en": "Latitude"},
    "imp_click_first": {
        "zh": "点击地图即可填入经纬度（WGS-84），也可直接输入。",
        "en": "Click the map to fill in the longitude and latitude (WGS-84), or type them.",
    },
    "imp_add_point": {"zh": "添加控制点", "en": "Add the control point"},
    "imp_point_incomplete": {
        "zh": "请填写图上 x、y 和经纬度。",
        "en": "Fill in the drawing's x, y and the longitude, latitude.",
    },
    "imp_rms": {"zh": "RMS 残差", "en": "RMS residual"},
    "imp_residual": {"zh": "残差（米）", "en": "Residual (m)"},
    "imp_over_tolerance": {
        "zh": "RMS {rms:.2f} 米超过允许的 {tol:g} 米：检查残差最大的点。",
        "en": "The RMS of {rms:.2f} m is over the {tol:g} m tolerance: check the point with the largest residual.",
    },
    "imp_need_points": {"zh": "还需要 {n} 个控制点。", "en": "{n} more control points needed."},
    "imp_remove_point": {"zh": "删除", "en": "Remove"},
    "imp_clear_points": {"zh": "全部清空", "en": "Clear all"},
    "imp_reading": {"zh": "正在读取测绘图……", "en": "Reading the survey…"},
    "imp_map_help": {
        "zh": "洋红色为测绘图，灰色与彩色编号为 OSM 和当前清单；核对两者是否重合。",
        "en": "Magenta is the survey; grey and the numbered markers are OSM and the current inventory. Check they line up.",
    },
    "imp_map_help_local": {
        "zh": "点击地图放置控制点；配准后，绿色圆点显示各点残差。",
        "en": "Click the map to place a control point; once fitted, green dots show each point's residual.",
    },
    "imp_assets": {"zh": "测绘中的资产（{n} 项）", "en": "Assets in the survey ({n})"},
    "imp_features": {"zh": "共 {n} 个要素：{roles}", "en": "{n} features: {roles}"},
    "imp_name": {"zh": "名称", "en": "Name"},
    "imp_category": {"zh": "类别", "en": "Category"},
    "imp_kind": {"zh": "类型", "en": "Kind"},
    "imp_layer": {"zh": "图层", "en": "Layer"},
    "imp_source_id": {"zh": "要素编号", "en": "Feature id"},
    "imp_report": {"zh": "读取报告", "en": "What was read"},
    "imp_accept": {"zh": "采用此测绘，重新生成清单", "en": "Accept the survey and rebuild the inventory"},
    "imp_accepted": {
        "zh": "已采用测绘，清单已重新生成；布局、清单和导出页都已更新。",
        "en": "Survey accepted and the inventory rebuilt; the layout, inventory and export pages follow.",
    },
    # city page (城市总览)
    "city": {"zh": "城市总览", "en": "City overview"},
    "city_intro": {
        "zh": "打开批量处理的结果（python -m pipeline batch 写出的文件夹）：每个小区的资产数、主入口和状态；"
        "点击地图上的小区或在右侧选择，即可打开它的清单。",
        "en": "Open a batch result (the folder python -m pipeline batch wrote): each compound's counts, main gate "
        "and status; click a compound on the map, or choose it, to open its inventory.",
    },
    "city_folder": {"zh": "批处理结果", "en": "Batch result"},
    "city_other": {"zh": "其他文件夹…", "en": "Another folder…"},
    "city_path": {"zh": "文件夹路径（含 city.gpkg）", "en": "Folder path (holding city.gpkg)"},
    "city_none": {
        "zh": "{root} 下没有批处理结果；输入文件夹路径，或先运行 python -m pipeline batch。",
        "en": "No batch result under {root}; type a folder path, or run python -m pipeline batch first.",
    },
    "city_summary": {
        "zh": "{n} 个小区：{done} 个已完成，{failed} 个失败",
        "en": "{n} compounds: {done} built, {failed} failed",
    },
    "city_color_by": {"zh": "着色依据", "en": "Colour by"},
    "city_hint": {"zh": "点击小区轮廓即可打开。", "en": "Click a compound's outline to open it."},
    "city_open": {"zh": "打开小区", "en": "Open a compound"},
    "city_pick": {"zh": "选择小区…", "en": "Choose a compound…"},
    "city_coverage": {"zh": "覆盖缺口", "en": "Coverage gaps"},
    "city_compounds": {"zh": "小区列表", "en": "Compounds"},
    "city_failed": {"zh": "该小区在批处理中失败：", "en": "This compound failed in the batch:"},
    "city_share": {"zh": "覆盖率：{kind}", "en": "Coverage: {kind}"},
    "city_gap_kinds": {"zh": "缺口类数", "en": "Kinds with a gap"},
    "city_gaps": {"zh": "缺口", "en": "Gaps"},
    "city_note": {"zh": "说明", "en": "Note"},
    "city_shares": {"zh": "设施覆盖率", "en": "Facility coverage"},
    "city_shares_help": {
        "zh": "每类设施步行距离内覆盖的住宅（按户数或建筑面积加权）所占比例，依《城市居住区规划设计标准》(GB 50180-2018)。",
        "en": "Share of housing (weighted by households or floor area) within walking reach of each kind, "
        "per GB 50180-2018.",
    },
}


def lang() -> str:
    """The language of this session: ``zh`` unless the user switched."""
    value = st.session_state.get(K_LANG, "zh")
    return value if value in LANGS else "zh"


def t(key: str, **values: object) -> str:
    """Return the UI text ``key`` in the session's language, formatted with ``values``."""
    text = TEXT[key][lang()]
    return text.format(**values) if values else text
