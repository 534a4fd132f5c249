"""Results (投票结果公示): the public page of what each vote decided and what became of each topic.

Anyone can open it, no sign-in: the link names the vote by its number in the compound (``?vote=2``, with the
compound in the view's own parameters), never by a database id. A closed vote shows its final ranked topics
with their dots and each topic's follow-up: the stage of the spots it gathers or that a planner linked to it
(``topic:<id>``), the candidate site they were planned as (``site:S03``) and the planner's latest note. The
printable A4 notice (公示, :mod:`layers.figure.notice`) is built when its button is pressed. Topic titles and
notes are residents' and planners' text: shown with ``st.text`` only.
"""

from __future__ import annotations

import datetime as dt
import functools
import urllib.parse
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from layers.figure.notice import Notice, NoticeRow, notice_pdf
from pipeline.core.errors import MapperError
from pipeline.core.words import word
from pipeline.inventory.naming import compound_title
from store import SessionRecord, TopicResult, VoteResults, get_results, list_sessions, vote_numbers
from store.spots import current_stages, spot_history
from ui import roles, widgets
from ui.i18n import lang, t

K_VOTE = "results_vote"  # the vote shown: its number in the compound
K_ASKED = "_results_asked"  # the last ?vote= taken from, or written to, the address
TIME_ZONE = "Asia/Shanghai"

view, inventory, store, planner = roles.open_page("results")
code = lang()
st.caption(t("results_intro"))


def _day(when: object) -> dt.date:
    """A stored UTC time's date in Beijing."""
    return pd.Timestamp(when).tz_localize("UTC").tz_convert(TIME_ZONE).date()


@dataclass(frozen=True)
class SpotFollowUp:
    """What became of one spot of a topic: its stage, the candidate site it was planned as, the last note."""

    spot_id: int
    stage: str
    site: str
    note: str

    def line(self, lang_code: str) -> str:
        """``#12 已列入计划 · 候选点 S03``: the spot's number, its stage and the site it was planned as."""
        what = word(
            "notice.stage", lang_code, spot=self.spot_id, stage=word(f"spot.stage.{self.stage}", lang_code)
        )
        return " · ".join([what] + ([word("notice.site", lang_code, site=self.site)] if self.site else []))


def follow_ups(ranked: tuple[TopicResult, ...]) -> dict[int, list[SpotFollowUp]]:
    """Topic id -> its spots that have moved on from ``open``, in spot order.

    A topic's spots are those it was made from, and those a planner planned as ``topic:<id>``.
    """
    moved = current_stages(store, view.compound)
    histories = {spot_id: spot_history(store, spot_id) for spot_id in sorted(moved)}
    linked: dict[int, set[int]] = {}
    for spot_id, steps in histories.items():
        for step in steps:
            if step.link and step.link.startswith("topic:"):
                linked.setdefault(int(step.link.split(":", 1)[1]), set()).add(spot_id)
    found: dict[int, list[SpotFollowUp]] = {}
    for result in ranked:
        spots = sorted((set(result.spot_ids) | linked.get(result.topic_id, set())) & set(moved))
        found[result.topic_id] = [
            SpotFollowUp(
                spot_id,
                moved[spot_id],
                next(
                    (
                        s.link[5:]
                        for s in reversed(histories[spot_id])
                        if s.link and s.link.startswith("site:")
                    ),
                    "",
                ),
                next((s.note for s in reversed(histories[spot_id]) if s.note), ""),
            )
            for spot_id in spots
        ]
    return found


def follow_up_text(steps: list[SpotFollowUp], lang_code: str) -> str:
    """The follow-up as one cell of the notice: each spot's stage and site, with its note."""
    parts = [
        word("notice.with_note", lang_code, what=s.line(lang_code), note=s.note)
        if s.note
        else s.line(lang_code)
        for s in steps
    ]
    return word("site.sep", lang_code).join(parts)


def _session_name(session: SessionRecord, number: int) -> str:
    status = t("vote_open") if session.status == "open" else t("vote_closed")
    return t("results_session_name", n=number, title=session.title, status=status)


def _link(number: int) -> str:
    """The address of this page for the vote ``number``, with the view's parameters (the compound, the language)."""
    try:
        url = st.context.url or ""
    except Exception:  # no browser (a script run): the link is then relative
        url = ""
    params = {k: st.query_params[k] for k in st.query_params if k != "vote"} | {"vote": str(number)}
    return f"{url.split('?', 1)[0]}?{urllib.parse.urlencode(params, safe='/')}"


def _notice(
    results: VoteResults, steps: dict[int, list[SpotFollowUp]], lang_code: str, link: str, signed: str
) -> Notice:
    session = results.session
    return Notice(
        session_title=session.title,
        compound=compound_title(inventory.report.get("compound", {}), lang_code)
        or word("app.no_name", lang_code),
        opened=_day(session.opened_at),
        closed=_day(session.closed_at or session.opened_at),
        ballots=results.ballots,
        paper_ballots=results.paper_ballots,
        dots_cast=results.dots_cast,
        dots_each=session.dots_per_participant,
        top_n=session.top_n,
        rows=[
            NoticeRow(r.rank, r.title, r.dots, r.voters, r.top, follow_up_text(steps[r.topic_id], lang_code))
            for r in results.ranked
        ],
        signed=signed,
        dated=_day(pd.Timestamp.now("UTC").tz_localize(None)),
        link=link,
    )


def _notice_pdf(
    results: VoteResults, steps: dict[int, list[SpotFollowUp]], lang_code: str, link: str, signed: str
) -> bytes:
    """The notice's PDF, built when its download button is pressed (not on every run of the page)."""
    return notice_pdf(_notice(results, steps, lang_code, link, signed), lang=lang_code)


# --- which vote -----------------------------------------------------------------------------------------
sessions = list_sessions(store, view.compound)
numbers = vote_numbers(sessions)  # the public number: 1, 2, … in the compound
by_number = {numbers[s.id]: s for s in sessions}
# ?vote=N comes with a shared link or the vote page's link; the page writes it back as the picker changes,
# so a number is taken from the address only when it differs from the one the page wrote last.
asked = str(st.query_params.get("vote", "") or "")
if asked and asked != st.session_state.get(K_ASKED):
    st.session_state[K_ASKED] = asked
    if asked.isdigit() and int(asked) in by_number:
        st.session_state[K_VOTE] = int(asked)
    else:
        st.warning(t("results_unknown", n=asked[:12]), icon=":material/warning:")
if not sessions:
    st.info(t("results_none"), icon=":material/info:")
    st.stop()
if st.session_state.get(K_VOTE) not in by_number:  # the newest closed vote, else the newest
    closed = [n for n, s in by_number.items() if s.status == "closed"]
    st.session_state[K_VOTE] = max(closed or by_number)
number = st.selectbox(
    t("results_session"),
    sorted(by_number, reverse=True),
    key=K_VOTE,
    format_func=lambda n: _session_name(by_number[n], n),
)
if st.query_params.get("vote") != str(number):
    st.query_params["vote"] = str(number)  # the address bar holds the link to share
    st.session_state[K_ASKED] = str(number)
session = by_number[number]

if session.status != "closed":
    st.info(t("results_open"), icon=":material/hourglass_top:")
    st.page_link("views/vote.py", label=t("results_go_vote"), icon=":material/how_to_vote:")
    st.stop()

try:
    results = get_results(store, session.id)
    steps = follow_ups(results.ranked)
except MapperError as exc:
    widgets.show_error(exc)
    st.stop()

# --- the final results -------------------------------------------------------------------------------------
st.success(t("results_final", date=_day(session.closed_at).isoformat()), icon=":material/verified:")
st.text(
    t("results_dates", opened=_day(session.opened_at).isoformat(), closed=_day(session.closed_at).isoformat())
)
with st.container(horizontal=True):  # side by side on a phone too (columns would stack)
    st.metric(t("results_took_part"), results.ballots, help=t("vote_paper_count", n=results.paper_ballots))
    st.metric(t("vote_dots_cast"), results.dots_cast)
    st.metric(t("vote_topics_count"), len(results.ranked))

st.subheader(t("results_ranked"), anchor=False)
for r in results.ranked:
    with st.container(border=True, key=f"results_topic_{r.rank}_{r.topic_id}"):
        head = t("results_rank_line", rank=r.rank, dots=r.dots, voters=r.voters)
        st.caption(" · ".join([head] + ([t("results_top")] if r.top else [])))
        st.text(r.title)
        done = steps[r.topic_id]
        if not done:
            st.caption(t("results_no_follow_up"))
        for step in done:
            st.text(step.line(code))
            if step.note:
                st.caption(t("results_note"))
                st.text(step.note)

# --- to share and to print -----------------------------------------------------------------------------
st.subheader(t("results_share"), anchor=False)
link = _link(number)
st.code(link, language=None, wrap_lines=True)

st.subheader(t("results_notice"), anchor=False)
signed = session.closed_by or ""  # who closed the vote, unless a signed-in planner writes another name
if planner is not None:
    st.session_state.setdefault("results_signed", signed or planner.name)
    signed = st.text_input(t("results_signed"), key="results_signed", max_chars=120).strip()
for notice_lang in ("zh", "en") if code == "en" else ("zh",):
    st.download_button(
        t(f"results_notice_{notice_lang}"),
        functools.partial(_notice_pdf, results, steps, notice_lang, link, signed),
        file_name=f"vote-{number}-notice-{notice_lang}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        key=f"results_pdf_{notice_lang}",
        on_click="ignore",
        type="primary" if notice_lang == code else "secondary",
    )
