"""Vote (投票): the Open Space dot vote — residents put their dots on topics; planners run the session.

Every ballot needs a participant code of its session: a resident types the code from their slip or follows
its link (``?vote=N&code=XXXXXXXX``, N the vote's number in the compound, read from ``st.query_params``); one code casts one ballot, from any
browser (the store refuses a second). Planners sign in (sidebar) to moderate spots (hide or restore, with a
reason), open a session, issue and download participant codes, turn spots into topics (merging duplicates
carries their supports), enter paper ballots (with their code), and close the session, which
publishes the ranked topics and the top N: a table, a CSV and a figure. Everyone sees the published results;
planners also see the audit log. Topic titles are residents' text: shown with ``st.text`` and in dataframes.
"""

import html
import json

import pandas as pd
import streamlit as st

from layers.figure.layout import figure_bytes
from layers.figure.vote import plot_vote_results
from pipeline.core.errors import MapperError
from pipeline.core.words import word
from store import (
    MODERATION,
    Planner,
    SessionRecord,
    TopicRecord,
    add_topic,
    add_topics_from_spots,
    cast_ballot,
    close_session,
    code_has_voted,
    codes_to_csv,
    count_codes,
    enter_paper_ballot,
    get_results,
    hide_spot,
    issue_codes,
    list_audit,
    list_sessions,
    list_spots,
    list_topics,
    merge_topics,
    open_session,
    restore_spot,
    results_to_csv,
    vote_numbers,
)
from store.geo import with_current_labels
from store.models import ANONYMOUS, NAMED
from ui import roles, state, widgets
from ui.i18n import lang, t

K_SESSION = "vote_session"  # the session shown (its select box's key adds the sessions' statuses)
K_VOTED = "_vote_voted"  # session ids this browser session has voted in
K_FIGURES = "_vote_figures"  # (session id, language) -> PNG bytes of the results figure
K_CODE = "vote_code"  # the participant code typed or taken from the link
K_NEW_CODES = "_vote_new_codes"  # (session id, codes) the planner just issued: shown once, never stored

view, inventory, store, planner = roles.open_page("vote")
code = lang()
st.caption(t("vote_intro"))


def _category(category: str | None) -> str:
    return word(f"spot.category.{category}", code) if category else ""


def _session_name(session: SessionRecord, number: int) -> str:
    status = t("vote_open") if session.status == "open" else t("vote_closed")
    return f"#{number} · {session.title} · {status} · {t(f'vote_mode_{session.ballot_mode}')}"


# --- actions (callbacks: they run before the page is drawn again) --------------------------------------------


def _open(who: Planner) -> None:
    opened = roles.attempt(
        "vote_session",
        lambda: open_session(
            store,
            view.compound,
            who,
            st.session_state.get("vote_new_title", ""),
            dots=int(st.session_state["vote_new_dots"]),
            ballot_mode=st.session_state["vote_new_mode"],
            top_n=int(st.session_state["vote_new_top"]),
        ),
        lambda s: t("vote_opened", id=vote_numbers(list_sessions(store, view.compound))[s.id]),
    )
    if opened is not None:
        st.session_state[K_SESSION] = opened.id
        st.session_state["vote_new_title"] = ""


def _close(who: Planner, session_id: int) -> None:
    roles.attempt("vote_session", lambda: close_session(store, session_id, who), t("vote_published"))
    st.session_state["vote_close_sure"] = False


def _topics_from_spots(who: Planner, session_id: int) -> None:
    chosen = st.session_state.get("vote_from_spots", [])
    done = roles.attempt(
        "vote_topics",
        lambda: add_topics_from_spots(store, session_id, who, chosen),
        lambda topics: t("vote_topics_added", n=len(topics)),
    )
    if done is not None:
        st.session_state["vote_from_spots"] = []


def _topic(who: Planner, session_id: int) -> None:
    done = roles.attempt(
        "vote_topics",
        lambda: add_topic(
            store,
            session_id,
            who,
            st.session_state.get("vote_topic_title", ""),
            spot_ids=st.session_state.get("vote_topic_spots", []),
        ),
        lambda topic: t("vote_topic_added", id=topic.id),
    )
    if done is not None:
        st.session_state["vote_topic_title"] = ""
        st.session_state["vote_topic_spots"] = []


def _merge(who: Planner) -> None:
    keep = st.session_state.get("vote_merge_keep")
    dups = st.session_state.get("vote_merge_dups", [])
    done = roles.attempt(
        "vote_topics",
        lambda: merge_topics(store, keep, dups, who),
        lambda topic: t("vote_merged", id=topic.id, n=len(dups)),
    )
    if done is not None:
        st.session_state["vote_merge_dups"] = []


def _dots(prefix: str, topic_ids: list[int]) -> dict[int, int]:
    return {
        i: int(st.session_state.get(f"{prefix}_{i}", 0) or 0)
        for i in topic_ids
        if st.session_state.get(f"{prefix}_{i}")
    }


def _clear_dots(prefix: str, topic_ids: list[int]) -> None:
    for i in topic_ids:
        st.session_state[f"{prefix}_{i}"] = 0


def _cast(session_id: int, mode: str, topic_ids: list[int]) -> None:
    def cast() -> int:
        who = roles.resident("vote") if mode == NAMED else roles.resident(name="anonymous")
        return cast_ballot(
            store, session_id, who, _dots("vote_dot", topic_ids), code=st.session_state.get(K_CODE, "")
        )

    if mode == NAMED and not roles.pseudonym("vote"):
        roles.flash("vote_ballot", "warning", t("spots_need_name"))
        return
    if roles.attempt("vote_ballot", cast, t("vote_cast")) is not None:
        st.session_state.setdefault(K_VOTED, set()).add(session_id)
        _clear_dots("vote_dot", topic_ids)


def _issue(who: Planner, session_id: int) -> None:
    n = int(st.session_state.get("vote_codes_n", 30))
    codes = roles.attempt(
        "vote_codes",
        lambda: issue_codes(store, session_id, who, n),
        lambda made: t("vote_codes_made", n=len(made)),
    )
    if codes is not None:
        st.session_state[K_NEW_CODES] = (session_id, codes)


def _vote_link() -> str:
    """The vote page's address without its query, for the links on the slips."""
    try:
        url = st.context.url or ""
    except Exception:  # no browser (a script run): the links are then relative
        url = ""
    return url.split("?", 1)[0]


def _codes_sheet(session: SessionRecord, number: int, codes: list[str], base: str) -> str:
    """An A4 page of slips (HTML, for the browser's print): each code, its link and the vote's number."""
    slips = "".join(
        f'<div class="slip"><b>{html.escape(session.title)}</b> · #{number}<br>'
        f'<span class="code">{c[:4]}-{c[4:]}</span><br>'
        f"<small>{html.escape(base)}?vote={number}&amp;code={c}</small></div>"
        for c in codes
    )
    style = (
        "@page{size:A4;margin:12mm}body{font-family:sans-serif}"
        ".slip{display:inline-block;width:45%;margin:1%;padding:3mm;border:1px dashed #888;break-inside:avoid}"
        ".code{font:bold 20pt monospace;letter-spacing:2px}"
    )
    head = html.escape(t("vote_codes_sheet", id=number))
    return f'<!doctype html><html><head><meta charset="utf-8"><title>{head}</title><style>{style}</style></head><body>{slips}</body></html>'


def _paper(who: Planner, session_id: int, topic_ids: list[int]) -> None:
    voter = st.session_state.get("vote_paper_voter", "")
    done = roles.attempt(
        "vote_paper",
        lambda: enter_paper_ballot(
            store,
            session_id,
            who,
            _dots("vote_paper_dot", topic_ids),
            voter=voter,
            code=st.session_state.get("vote_paper_code", ""),
        ),
        t("vote_paper_entered"),
    )
    if done is not None:
        st.session_state["vote_paper_voter"] = ""
        st.session_state["vote_paper_code"] = ""
        _clear_dots("vote_paper_dot", topic_ids)


def _moderate(who: Planner, hide: bool) -> None:
    spot_id = st.session_state.get("vote_mod_spot")
    reason = st.session_state.get("vote_mod_reason", "")
    action = hide_spot if hide else restore_spot
    done = roles.attempt(
        "vote_moderate",
        lambda: action(store, spot_id, who, reason),
        t("vote_hidden", id=spot_id) if hide else t("vote_restored", id=spot_id),
    )
    if done is not None:
        st.session_state["vote_mod_reason"] = ""


# --- which session ----------------------------------------------------------------------------------------
sessions = list_sessions(store, view.compound)
by_id = {s.id: s for s in sessions}
numbers = vote_numbers(sessions)  # what people read: the vote's number in the compound, never the store's id
link = st.session_state.pop(state.K_LINK, None) or {}  # a code link: ?vote=N&code=XXXXXXXX, read once
linked = {n: i for i, n in numbers.items()}.get(int(link["vote"])) if str(link.get("vote", "")).isdigit() else None
if linked is None and str(link.get("session", "")).isdigit():  # slips printed before: ?session=ID
    linked = int(link["session"])
if linked in by_id:
    st.session_state[K_SESSION] = linked
if link.get("code"):
    st.session_state[K_CODE] = str(link["code"])[:20]
roles.show_flash("vote_session")
if sessions:
    if st.session_state.get(K_SESSION) not in by_id:
        st.session_state[K_SESSION] = next((s.id for s in sessions if s.status == "open"), sessions[0].id)
    # The box's key names every session's status: the browser keeps a box's shown text while its value
    # stays, so after a close it said 进行中 until a reload; a new key draws it afresh.
    picker = f"{K_SESSION}_" + ".".join(f"{s.id}{s.status}" for s in sessions)
    if st.session_state.get(picker) not in by_id:
        st.session_state[picker] = st.session_state[K_SESSION]
    chosen = st.selectbox(
        t("vote_session"),
        list(by_id),
        key=picker,
        format_func={s.id: _session_name(s, numbers[s.id]) for s in sessions}.get,
    )
    st.session_state[K_SESSION] = chosen
    session = by_id[chosen]
else:
    session = None
    st.info(t("vote_no_session_planner") if planner else t("vote_no_session"), icon=":material/info:")

topics = list_topics(store, session.id) if session else []
topic_ids = [topic.id for topic in topics]
spots = with_current_labels(  # "near 9 · 畅乐园" as numbered now
    list_spots(store, view.compound, statuses=MODERATION if planner else ("open",)),
    inventory.assets,
    max_dist_m=store.settings.near_asset_m,
)
spot_by_id = {s.id: s for s in spots}


def _topic_line(topic: TopicRecord) -> str:
    """A topic's number, category, supporters and spots (no resident text)."""
    spots_of = ", ".join(f"#{i}" for i in topic.spot_ids)
    parts = (
        t("vote_topic_n", id=topic.id),
        _category(topic.category),
        t("spots_n_support", n=topic.supports),
        t("vote_from", spots=spots_of) if spots_of else "",
    )
    return " · ".join(x for x in parts if x)


spot_names = {  # how the select boxes list spots: no resident text (the tables beside them show it)
    s.id: " · ".join(
        x for x in (f"#{s.id}", s.category_label(code), s.near(code), t("spots_n_support", n=s.supports)) if x
    )
    for s in spots
}


# --- an open session: the topics and the ballot ----------------------------------------------------------
if session is not None and session.status == "open":
    st.subheader(t("vote_topics", n=len(topics)), anchor=False)
    st.text(
        t(
            "vote_rules",
            dots=session.dots_per_participant,
            top=session.top_n,
            mode=t(f"vote_mode_{session.ballot_mode}"),
        )
    )
    if topics:
        st.subheader(t("vote_ballot", dots=session.dots_per_participant), anchor=False)
        roles.show_flash("vote_ballot")
        st.text_input(t("vote_code"), key=K_CODE, max_chars=20, help=t("vote_code_help"))
        typed = str(st.session_state.get(K_CODE, "")).strip()
        try:
            code_voted = bool(typed) and code_has_voted(store, session.id, typed)
        except MapperError as exc:
            code_voted = False
            st.text(widgets.error_text(exc))
        if session.id in st.session_state.get(K_VOTED, set()) and not typed:
            st.success(t("vote_cast"), icon=":material/how_to_vote:")
        elif code_voted:
            st.info(t("vote_code_used"), icon=":material/how_to_vote:")
        else:
            name = roles.pseudonym_input("vote") if session.ballot_mode == NAMED else roles.pseudonym()
            st.caption(t("vote_named_note") if session.ballot_mode == NAMED else t("vote_anonymous_note"))
            with st.container(border=True):
                for i, topic in enumerate(topics):
                    if i:
                        st.divider()
                    title_col, dots_col = st.columns([4, 1], vertical_alignment="center")
                    with title_col:
                        st.caption(_topic_line(topic))
                        st.text(topic.title)
                    dots_col.number_input(
                        t("vote_dots_on", id=topic.id),
                        min_value=0,
                        max_value=session.dots_per_participant,
                        step=1,
                        key=f"vote_dot_{topic.id}",
                        label_visibility="collapsed",
                    )
            used = sum(_dots("vote_dot", topic_ids).values())
            left = session.dots_per_participant - used
            st.text(t("vote_dots_left", left=left, dots=session.dots_per_participant))
            st.button(
                t("vote_submit"),
                type="primary",
                key="vote_submit",
                on_click=_cast,
                args=(session.id, session.ballot_mode, topic_ids),
                disabled=used == 0 or left < 0 or not typed,
            )
            if not typed:
                st.caption(t("vote_need_code"))
            if session.ballot_mode == NAMED and not name:
                st.caption(t("spots_need_name"))
    else:
        st.caption(t("vote_no_topics"))

# --- a closed session: the published results --------------------------------------------------------------
if session is not None and session.status == "closed":
    try:
        results = get_results(store, session.id)
    except MapperError as exc:
        widgets.show_error(exc)
        st.stop()
    st.subheader(t("vote_results"), anchor=False)
    number = numbers[session.id]
    st.page_link(
        "views/results.py",
        label=t("results_link"),
        icon=":material/campaign:",
        query_params={"vote": str(number)},
    )
    with st.container(horizontal=True):  # side by side on a phone too (columns would stack)
        st.metric(t("vote_ballots"), results.ballots, help=t("vote_paper_count", n=results.paper_ballots))
        st.metric(t("vote_dots_cast"), results.dots_cast)
        st.metric(t("vote_topics_count"), len(results.ranked))
    st.text(t("vote_top_n", n=session.top_n))
    for r in results.top:
        st.text(f"{r.rank}. {r.title} — {t('vote_dots_n', n=r.dots)}")
    table = pd.DataFrame(
        {
            t("vote_col_rank"): [r.rank for r in results.ranked],
            t("vote_col_topic_id"): [r.topic_id for r in results.ranked],
            t("vote_col_title"): [r.title for r in results.ranked],
            t("vote_col_category"): [_category(r.category) for r in results.ranked],
            t("vote_col_dots"): [r.dots for r in results.ranked],
            t("vote_col_voters"): [r.voters for r in results.ranked],
            t("vote_col_supports"): [r.supports for r in results.ranked],
            t("vote_col_top"): [r.top for r in results.ranked],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={t("vote_col_title"): st.column_config.TextColumn(width="large")},
    )
    figures = st.session_state.setdefault(K_FIGURES, {})
    if (session.id, code) not in figures:
        try:
            fig, _ = plot_vote_results(results, lang=code)
            figures[(session.id, code)] = figure_bytes(fig, "png", dpi=150)
        except MapperError as exc:
            widgets.show_error(exc)
    if (session.id, code) in figures:
        st.image(figures[(session.id, code)], caption=t("vote_figure"))
    csv_col, png_col = st.columns(2)
    csv_col.download_button(
        t("vote_csv"),
        results_to_csv(results).encode("utf-8-sig"),
        file_name=f"vote-{number}-results.csv",
        mime="text/csv",
        icon=":material/download:",
        key="vote_csv",
        on_click="ignore",
    )
    if (session.id, code) in figures:
        png_col.download_button(
            t("vote_png"),
            figures[(session.id, code)],
            file_name=f"vote-{number}-results-{code}.png",
            mime="image/png",
            icon=":material/download:",
            key="vote_png",
            on_click="ignore",
        )
    if results.named_ballots:
        st.subheader(t("vote_named_ballots"), anchor=False)
        titles = {r.topic_id: r.title for r in results.ranked}
        st.dataframe(
            pd.DataFrame(
                {
                    t("vote_col_voter"): [voter for voter, _ in results.named_ballots],
                    t("vote_col_choice"): [
                        "; ".join(f"#{i} {titles.get(i, '')} × {n}" for i, n in dots.items())
                        for _, dots in results.named_ballots
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )

# --- the planner's tools ---------------------------------------------------------------------------------
if planner is None:
    st.stop()

st.divider()
st.header(t("vote_planner_tools"), anchor=False)
tab_session, tab_topics, tab_paper, tab_moderate, tab_audit = st.tabs(
    [
        t("vote_tab_session"),
        t("vote_tab_topics"),
        t("vote_tab_paper"),
        t("vote_tab_moderate"),
        t("vote_tab_audit"),
    ]
)

with tab_session:
    st.subheader(t("vote_new_session"), anchor=False)
    st.text_input(
        t("vote_new_title"), key="vote_new_title", max_chars=200, placeholder=t("vote_new_title_hint")
    )
    dots_col, top_col, mode_col = st.columns(3)
    dots_col.number_input(
        t("vote_new_dots"), min_value=1, max_value=20, value=store.settings.default_dots, key="vote_new_dots"
    )
    top_col.number_input(
        t("vote_new_top"), min_value=1, max_value=100, value=store.settings.default_top_n, key="vote_new_top"
    )
    mode_col.radio(
        t("vote_new_mode"),
        [NAMED, ANONYMOUS],
        format_func={m: t(f"vote_mode_{m}") for m in (NAMED, ANONYMOUS)}.get,
        key="vote_new_mode",
    )
    st.button(t("vote_open_button"), key="vote_open", on_click=_open, args=(planner,), icon=":material/add:")
    if session is not None and session.status == "open":
        st.subheader(t("vote_codes_title"), anchor=False)
        roles.show_flash("vote_codes")
        issued, used_codes = count_codes(store, session.id)
        st.text(t("vote_codes_count", issued=issued, used=used_codes))
        st.caption(t("vote_codes_note"))
        st.number_input(t("vote_codes_n"), min_value=1, max_value=2000, value=30, key="vote_codes_n")
        st.button(t("vote_codes_button"), key="vote_codes_go", on_click=_issue, args=(planner, session.id))
        made = st.session_state.get(K_NEW_CODES)
        if made and made[0] == session.id:
            base = _vote_link()
            csv_col, sheet_col = st.columns(2)
            csv_col.download_button(
                t("vote_codes_csv"),
                codes_to_csv(numbers[session.id], made[1], base).encode("utf-8-sig"),
                file_name=f"vote-{numbers[session.id]}-codes.csv",
                mime="text/csv",
                icon=":material/download:",
                key="vote_codes_csv",
                on_click="ignore",
            )
            sheet_col.download_button(
                t("vote_codes_sheet_button"),
                _codes_sheet(session, numbers[session.id], made[1], base).encode("utf-8"),
                file_name=f"vote-{numbers[session.id]}-codes-a4.html",
                mime="text/html",
                icon=":material/print:",
                key="vote_codes_sheet",
                on_click="ignore",
            )
        st.subheader(t("vote_close_title"), anchor=False)
        st.text(t("vote_close_note", ballots=session.ballots, top=session.top_n))
        sure = st.checkbox(t("vote_close_sure"), key="vote_close_sure")
        st.button(
            t("vote_close_button"),
            type="primary",
            key="vote_close",
            on_click=_close,
            args=(planner, session.id),
            disabled=not sure,
        )

with tab_topics:
    roles.show_flash("vote_topics")
    if session is None or session.status != "open":
        st.caption(t("vote_need_open"))
    else:
        used = {i for topic in topics for i in topic.spot_ids}
        free = [s.id for s in spots if s.status == "open" and s.id not in used]
        st.subheader(t("vote_from_spots_title"), anchor=False)
        st.dataframe(
            pd.DataFrame(
                {
                    t("spots_col_id"): free,
                    t("spots_col_category"): [spot_by_id[i].category_label(code) for i in free],
                    t("spots_col_text"): [spot_by_id[i].text for i in free],
                    t("spots_col_near"): [spot_by_id[i].near(code) for i in free],
                    t("spots_col_supports"): [spot_by_id[i].supports for i in free],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={t("spots_col_text"): st.column_config.TextColumn(width="large")},
        )
        st.multiselect(
            t("vote_from_spots"),
            free,
            format_func=spot_names.get,
            key="vote_from_spots",
            placeholder=t("spots_pick_hint"),
        )
        st.button(
            t("vote_from_spots_button"),
            key="vote_from_spots_go",
            on_click=_topics_from_spots,
            args=(planner, session.id),
        )
        st.subheader(t("vote_topic_title_h"), anchor=False)
        st.text_input(t("vote_topic_title"), key="vote_topic_title", max_chars=200)
        st.multiselect(
            t("vote_topic_spots"),
            free,
            format_func=spot_names.get,
            key="vote_topic_spots",
            placeholder=t("spots_pick_hint"),
        )
        st.button(t("vote_topic_button"), key="vote_topic_go", on_click=_topic, args=(planner, session.id))
        if len(topics) >= 2:
            st.subheader(t("vote_merge_title"), anchor=False)
            st.caption(t("vote_merge_note"))

            topic_names = {
                x.id: f"#{x.id} · {_category(x.category)} · {t('spots_n_support', n=x.supports)}"
                for x in topics
            }

            keep = st.selectbox(
                t("vote_merge_keep"), topic_ids, format_func=topic_names.get, key="vote_merge_keep"
            )
            st.multiselect(
                t("vote_merge_dups"),
                [i for i in topic_ids if i != keep],
                format_func=topic_names.get,
                key="vote_merge_dups",
                placeholder=t("vote_pick_topics"),
            )
            st.button(t("vote_merge_button"), key="vote_merge_go", on_click=_merge, args=(planner,))

with tab_paper:
    roles.show_flash("vote_paper")
    if session is None or session.status != "open" or not topics:
        st.caption(t("vote_need_open"))
    else:
        st.text_input(
            t("vote_paper_voter") if session.ballot_mode == NAMED else t("vote_paper_serial"),
            key="vote_paper_voter",
            max_chars=80,
        )
        st.text_input(t("vote_code"), key="vote_paper_code", max_chars=20)
        for topic in topics:
            title_col, dots_col = st.columns([4, 1], vertical_alignment="center")
            title_col.text(f"#{topic.id} · {topic.title}")
            dots_col.number_input(
                t("vote_dots_on", id=topic.id),
                min_value=0,
                max_value=session.dots_per_participant,
                step=1,
                key=f"vote_paper_dot_{topic.id}",
            )
        st.button(
            t("vote_paper_button"),
            key="vote_paper_go",
            on_click=_paper,
            args=(planner, session.id, topic_ids),
        )

with tab_moderate:
    roles.show_flash("vote_moderate")
    st.dataframe(
        pd.DataFrame(
            {
                t("spots_col_id"): [s.id for s in spots],
                t("spots_col_status"): [t(f"spots_status_{s.status}") for s in spots],
                t("spots_col_category"): [s.category_label(code) for s in spots],
                t("spots_col_text"): [s.text for s in spots],
                t("spots_col_author"): [s.author for s in spots],
                t("spots_col_supports"): [s.supports for s in spots],
                t("vote_col_reason"): [s.status_reason or "" for s in spots],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={t("spots_col_text"): st.column_config.TextColumn(width="large")},
    )
    if spots:
        target = st.selectbox(
            t("vote_mod_spot"), [s.id for s in spots], format_func=spot_names.get, key="vote_mod_spot"
        )
        st.text_input(t("vote_mod_reason"), key="vote_mod_reason", max_chars=300)
        hidden = spot_by_id[target].status != "open"
        st.button(
            t("vote_restore") if hidden else t("vote_hide"),
            key="vote_mod_go",
            on_click=_moderate,
            args=(planner, not hidden),
            icon=":material/visibility:" if hidden else ":material/visibility_off:",
        )

with tab_audit:
    entries = list_audit(store, compound_id=view.compound, limit=300)
    st.dataframe(
        pd.DataFrame(
            {
                t("vote_col_time"): [e.at.strftime("%Y-%m-%d %H:%M:%S") + " UTC" for e in entries],
                t("vote_col_actor"): [e.actor for e in entries],
                t("vote_col_action"): [e.action for e in entries],
                t("vote_col_object"): [f"{e.object_type} {e.object_id or ''}".strip() for e in entries],
                t("vote_col_detail"): [
                    json.dumps(e.detail, ensure_ascii=False, sort_keys=True) for e in entries
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
