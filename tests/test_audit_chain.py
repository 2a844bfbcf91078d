"""The audit log's hash chain: verify names the first entry that was changed, removed, inserted or
reordered, in a list of entries and in the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from hukou.audit.chain import GENESIS, Entry, entry_hash, verify
from hukou.store.audit_log import append_entry, verify_log
from hukou.store.database import connect, migrate

T0 = datetime(2020, 3, 2, 9, 0)


def chain(n: int) -> list[Entry]:
    out, prev = [], GENESIS
    for seq in range(1, n + 1):
        at = T0 + timedelta(seconds=seq)
        h = entry_hash(prev, seq, at, "p1", "case.read", f"case-{seq}", "casework")
        out.append(Entry(seq, at, "p1", "case.read", f"case-{seq}", "casework", prev, h))
        prev = h
    return out


def rechained(entries: list[Entry]) -> list[Entry]:
    """The entries renumbered and rehashed from the first one that differs: what a careful forger writes."""
    out, prev = [], GENESIS
    for seq, e in enumerate(entries, start=1):
        h = entry_hash(prev, seq, e.at, e.who, e.what, e.subject, e.why)
        out.append(replace(e, seq=seq, prev_hash=prev, hash=h))
        prev = h
    return out


def test_a_whole_chain_verifies():
    assert verify(chain(10)) is None and verify([]) is None


def test_a_changed_entry_is_named():
    entries = chain(10)
    entries[4] = replace(entries[4], why="nothing to see")
    assert (verify(entries).seq, verify(entries).problem) == (5, "changed")


def test_a_removed_entry_is_named():
    entries = chain(10)
    del entries[6]
    assert (verify(entries).seq, verify(entries).problem) == (7, "removed")
    renumbered = entries[:6] + [replace(e, seq=e.seq - 1, hash=entry_hash(e.prev_hash, e.seq - 1, e.at, e.who, e.what,
                                                                          e.subject, e.why)) for e in entries[6:]]
    finding = verify(renumbered)
    assert (finding.seq, finding.problem) == (7, "removed")


def test_an_inserted_entry_is_named():
    entries = chain(10)
    forged = Entry(0, T0, "eve", "case.read", "case-x", "audit", entries[3].hash, "")
    forged = replace(forged, seq=5, hash=entry_hash(forged.prev_hash, 5, forged.at, forged.who, forged.what,
                                                    forged.subject, forged.why))
    later = [replace(e, seq=e.seq + 1, hash=entry_hash(e.prev_hash, e.seq + 1, e.at, e.who, e.what, e.subject, e.why))
             for e in entries[4:]]
    finding = verify(entries[:4] + [forged] + later)
    assert (finding.seq, finding.problem) == (5, "inserted")


def test_reordered_entries_are_named():
    entries = chain(10)
    a, b = entries[5], entries[6]
    swapped = entries[:5] + [replace(b, seq=6, hash=entry_hash(b.prev_hash, 6, b.at, b.who, b.what, b.subject, b.why)),
                             replace(a, seq=7, hash=entry_hash(a.prev_hash, 7, a.at, a.who, a.what, a.subject, a.why))] \
        + entries[7:]
    finding = verify(swapped)
    assert (finding.seq, finding.problem) == (6, "reordered")


def test_a_rewritten_tail_is_beyond_a_chain_alone():
    """What checkpoints (a later issue) are for: a forger who rehashes everything after a change."""
    entries = chain(6)
    entries[2] = replace(entries[2], why="changed")
    assert verify(rechained(entries)) is None


@pytest.mark.parametrize("sql, seq, problem", [
    ("UPDATE audit_log SET why = 'nothing to see' WHERE seq = 3", 3, "changed"),
    ("DELETE FROM audit_log WHERE seq = 4", 4, "removed"),
])
def test_the_databases_log_names_the_first_bad_entry(tmp_path, sql, seq, problem):
    from sqlalchemy.orm import Session

    engine = connect(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    migrate(engine)
    with Session(engine) as session, session.begin():
        for i in range(6):
            append_entry(session, T0 + timedelta(seconds=i), "p1", "case.read", f"case-{i}", "casework")
    assert verify_log(engine) is None
    with engine.begin() as conn:
        conn.execute(text(sql))
    finding = verify_log(engine)
    assert (finding.seq, finding.problem) == (seq, problem)


def test_postgresql_computes_the_same_hashes_for_any_text(postgres_url):
    """On PostgreSQL the entry's hash is computed by the database (one round trip under the lock): it
    must be the chain's own, whatever the text (quotes, backslashes, control characters, any script)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from sqlalchemy.orm import Session

    engine = connect(postgres_url)
    migrate(engine)
    text_ = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)  # text, as UTF-8 holds it

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(who=text_, what=text_, subject=text_, why=text_, micro=st.integers(0, 999_999))
    def append(who, what, subject, why, micro):
        with Session(engine) as session, session.begin():
            append_entry(session, T0.replace(microsecond=micro), who, what, subject, why)

    append()
    odds = ('"quoted" \\back\\slash', "it's ''; SELECT 1; -- $$x$$", "line\nbreak\ttab\r", "\u2028\u2029\x7f\x1f",
            "漢字 😀 ﷽")
    for odd in odds:
        with Session(engine) as session, session.begin():
            append_entry(session, T0, odd, odd, odd, odd)
    assert verify_log(engine) is None
    with engine.connect() as conn:  # each text is stored as given, not as SQL
        stored = conn.execute(text("SELECT who, what, subject, why FROM audit_log ORDER BY seq DESC LIMIT 5")).all()
    assert [tuple(r) for r in reversed(stored)] == [(o[:60], o[:40], o, o[:200]) for o in odds]
    engine.dispose()


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_unit_of_work_commits_its_changes_and_its_audit_entries_together_or_not_at_all(database, tmp_path, request):
    """A change the session has not flushed yet is written before the audit entries and their commit:
    when it fails, neither is kept (on PostgreSQL the entries' round trip ends with the COMMIT)."""
    from hukou.store import schema as S
    from hukou.store.unit_of_work import UnitOfWork

    url = request.getfixturevalue("postgres_url") if database == "postgresql" else f"sqlite:///{tmp_path / 'u.sqlite'}"
    engine = connect(url)
    migrate(engine)
    now = datetime(2026, 12, 2, 9, 0)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO cases (id, kind, township, created_at) VALUES ('c1', 'settlement', '652301001', :at)"),
                     {"at": now})
        conn.execute(text("INSERT INTO case_actions (case_id, seq, type, at, by_user, role, data) "
                          "VALUES ('c1', 1, 'submitted', :at, 'u', 'applicant', '{}')"), {"at": now})
    with pytest.raises(Exception), UnitOfWork(engine) as uow:
        uow.session.add(S.CaseActionRow(case_id="c1", seq=1, type="accepted", at=now, by_user="p", role="police_station",
                                        data={}))  # the same (case, seq): refused when flushed
        uow.log(now, "p", "case.accepted", "c1", "")
        uow.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM case_actions")).scalar() == 1
    with UnitOfWork(engine) as uow:  # and a good one keeps both
        uow.session.add(S.CaseActionRow(case_id="c1", seq=2, type="accepted", at=now, by_user="p", role="police_station",
                                        data={}))
        uow.log(now, "p", "case.accepted", "c1", "")
        uow.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM case_actions")).scalar() == 2
    assert verify_log(engine) is None
    engine.dispose()
