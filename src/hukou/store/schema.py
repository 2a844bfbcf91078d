"""The register's database schema (SQLAlchemy 2): the fact tables the rules read, plus what a
register must also hold to serve people (identity, households, divisions, the three rural rights).

Minimal by design: every column is here because a rule, a service or a statistic needs it, and the
docstrings say which. There is no ethnicity and no religion, and there never will be. The fact
tables carry the same names and columns as `hukou.registry.fact_tables`, so the columnar engine
runs on the database tables as it runs on Parquet.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Text,
                        UniqueConstraint, false)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {"ix": "ix_%(table_name)s_%(column_0_name)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
          "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s"}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


PersonId = BigInteger


class Division(Base):
    """A place: the city, its township-level units, and the communities (社区, urban) and villages (村, rural) under them.
    Purpose: residence and hukou places; the urban-rural class decides "urban place" (RULEBOOK §1)."""

    __tablename__ = "divisions"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    parent_code: Mapped[Optional[str]] = mapped_column(String(12))
    kind: Mapped[str] = mapped_column(String(12))  # city | street | town | township | zone | community | village
    urban_class: Mapped[Optional[str]] = mapped_column(String(3))  # 111…220 for communities and villages


class Person(Base):
    """A person in the register. Identity (ID number, name, sex) serves casework and services; the
    birth date serves the age rules; `*_known` says whether the register holds that topic at all
    (absent = unknown, RULEBOOK §2), so no verdict treats a gap in the register as "none"."""

    __tablename__ = "people"
    person_id: Mapped[int] = mapped_column(PersonId, primary_key=True, autoincrement=False)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    sex: Mapped[str] = mapped_column(String(1))  # checked against the ID number's 17th digit
    birth_date: Mapped[date] = mapped_column(Date)
    residence_known: Mapped[bool] = mapped_column(Boolean, default=False)
    housing_known: Mapped[bool] = mapped_column(Boolean, default=False)
    employment_known: Mapped[bool] = mapped_column(Boolean, default=False)
    social_insurance_known: Mapped[bool] = mapped_column(Boolean, default=False)
    education_known: Mapped[bool] = mapped_column(Boolean, default=False)
    qualifications_known: Mapped[bool] = mapped_column(Boolean, default=False)


def _person_fk() -> Mapped[int]:
    return mapped_column(PersonId, ForeignKey("people.person_id", ondelete="CASCADE"), index=True)


class Hukou(Base):
    """The hukou history: each registration from its date (a move-in); the next one ends it (a move-out).
    `seq` numbers a person's registrations in the order written (1, 2, …): of two dated the same day,
    the higher is in force. Purpose: the hukou at D (precondition, student route, permit), hukou
    urbanization statistics."""

    __tablename__ = "hukou"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    since: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)  # no default: whoever writes a registration numbers it
    place: Mapped[str] = mapped_column(String(12))
    urban: Mapped[bool] = mapped_column(Boolean)
    household_id: Mapped[Optional[int]] = mapped_column(Integer, ForeignKey("households.id"))


class Residence(Base):
    """Periods lived in the city. Purpose: legal stable residence, the permit's half year, long-term key group."""

    __tablename__ = "residence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[Optional[date]] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(12))
    urban: Mapped[Optional[bool]] = mapped_column(Boolean)


class Housing(Base):
    """Current housing. Purpose: legal stable residence (owned, employer's, school's, registered rented)."""

    __tablename__ = "housing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    kind: Mapped[str] = mapped_column(String(10))
    registered: Mapped[Optional[bool]] = mapped_column(Boolean)


class Employment(Base):
    """Periods of employment. Purpose: permit basis, new-generation and long-term key groups, city minimums."""

    __tablename__ = "employment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[Optional[date]] = mapped_column(Date)


class SocialInsurance(Base):
    """Months of urban social insurance (year × 12 + month − 1). Purpose: a city's minimum (never above 24)."""

    __tablename__ = "social_insurance"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    start_month: Mapped[int] = mapped_column(Integer)
    end_month: Mapped[Optional[int]] = mapped_column(Integer)


class Education(Base):
    """Education records. Purpose: talent and student routes, permit study basis, student key group."""

    __tablename__ = "education"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    level: Mapped[str] = mapped_column(String(12))
    admitted: Mapped[date] = mapped_column(Date)
    graduated: Mapped[Optional[date]] = mapped_column(Date)
    institution_in_city: Mapped[bool] = mapped_column(Boolean, default=False)
    abroad: Mapped[bool] = mapped_column(Boolean, default=False)
    certified: Mapped[Optional[bool]] = mapped_column(Boolean)


class Qualification(Base):
    """Skill certificates and vocational qualifications. Purpose: the talent route (技术工人)."""

    __tablename__ = "qualifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    kind: Mapped[str] = mapped_column(String(30))
    obtained: Mapped[Optional[date]] = mapped_column(Date)


class Military(Base):
    """Military service. Purpose: the key group of soldiers entering towns (参军进入城镇)."""

    __tablename__ = "military"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    enlisted: Mapped[Optional[date]] = mapped_column(Date)
    discharged: Mapped[Optional[date]] = mapped_column(Date)


class Family(Base):
    """Spouse, children and parents, and whether each moves with the person. Purpose: followers (随迁)
    and the whole-family key group. A child's birth date decides minority."""

    __tablename__ = "family"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    relation: Mapped[str] = mapped_column(String(8))  # spouse | child | parent
    birth_date: Mapped[Optional[date]] = mapped_column(Date)
    moving: Mapped[bool] = mapped_column(Boolean, default=False)


class Household(Base):
    """A household (户): family or collective. Purpose: settlement registers a person into one."""

    __tablename__ = "households"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # family | collective
    place: Mapped[str] = mapped_column(String(12))
    head_person_id: Mapped[Optional[int]] = mapped_column(PersonId, ForeignKey("people.person_id"))


class HouseholdMember(Base):
    """Who belongs to a household, from when. Purpose: household records and follower registration."""

    __tablename__ = "household_members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(Integer, ForeignKey("households.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = _person_fk()
    relation: Mapped[str] = mapped_column(String(10))  # head | spouse | child | parent | other | member
    since: Mapped[date] = mapped_column(Date)


class ThreeRights(Base):
    """Contracted land, homestead and collective income rights of a rural hukou holder. Purpose: the
    departments that protect them (§十); never a condition of settlement and never read by a rule."""

    __tablename__ = "three_rights"
    person_id: Mapped[int] = mapped_column(PersonId, ForeignKey("people.person_id", ondelete="CASCADE"), primary_key=True)
    contracted_land: Mapped[bool] = mapped_column(Boolean)
    homestead: Mapped[bool] = mapped_column(Boolean)
    collective_income: Mapped[bool] = mapped_column(Boolean)


Index("ix_hukou_person_since", Hukou.person_id, Hukou.since)

FACT_MODELS = {m.__tablename__: m for m in (Person, Hukou, Residence, Housing, Employment, SocialInsurance, Education,
                                            Qualification, Military, Family)}


class CaseRow(Base):
    """A case (settlement, residence permit, student or graduate move). Its state lives in its actions."""

    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[Optional[int]] = mapped_column(PersonId, ForeignKey("people.person_id"))  # the applicant's
    township: Mapped[Optional[str]] = mapped_column(String(9), index=True)  # jurisdiction: who may see it
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # the number people read out (昌落2026-000123), given at submission from `case_counters`
    number: Mapped[Optional[str]] = mapped_column(String(32), index=True, unique=True)
    # What the work queue sorts and filters by, derived from the log (cases/queue_columns.py) and written
    # in the transaction of the submission and of every append; the log stays the truth. The defaults
    # are a just-submitted case's (SQLite adds a column that cannot be null only with a default).
    status: Mapped[str] = mapped_column(String(30), server_default="submitted")
    due: Mapped[Optional[date]] = mapped_column(Date)  # the deadline it runs against now, if any
    submitted_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    finished: Mapped[bool] = mapped_column(Boolean, server_default=false())
    waiting_on: Mapped[str] = mapped_column(String(20), server_default="police_station")  # whose turn: a role, or none
    updated_at: Mapped[Optional[datetime]] = mapped_column(DateTime)  # the latest action's time


# the queue's orders within a township (a station), within whose turn it is (an approver) and city-wide
Index("ix_cases_queue_township", CaseRow.township, CaseRow.finished, CaseRow.due, CaseRow.submitted_at)
Index("ix_cases_queue_waiting", CaseRow.waiting_on, CaseRow.finished, CaseRow.due, CaseRow.submitted_at)
Index("ix_cases_queue_due", CaseRow.finished, CaseRow.due, CaseRow.submitted_at)
Index("ix_cases_queue_submitted", CaseRow.finished, CaseRow.submitted_at)


class CaseCounter(Base):
    """The last case number given in a series (a city's prefix, the kind's word and the year: 昌落2026)."""

    __tablename__ = "case_counters"
    series: Mapped[str] = mapped_column(String(24), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class CaseParty(Base):
    """Who a case concerns, as its submission fixed them (an index of the log, which stays the truth):
    an applicant's account finds its cases by ID number here; a registration finds the permits of
    the people it moves, and refuses a second move of someone, here. `moved_at` is set by the
    registration that moved this party, in its transaction."""

    __tablename__ = "case_parties"
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), primary_key=True)
    party: Mapped[str] = mapped_column(String(9), primary_key=True)  # applicant | f1 | f2 | …
    kind: Mapped[str] = mapped_column(String(20))  # the case's kind
    relation: Mapped[str] = mapped_column(String(10))  # applicant | spouse | child | parent
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[Optional[str]] = mapped_column(String(40), index=True)  # as submitted: officers search by it
    person_id: Mapped[Optional[int]] = mapped_column(PersonId)  # the register's, when it held them
    moved_at: Mapped[Optional[datetime]] = mapped_column(DateTime)


class CaseActionRow(Base):
    """One action of a case's append-only log; `seq` is the case's version after it. The primary key
    (case_id, seq) makes two concurrent appends of the same version impossible."""

    __tablename__ = "case_actions"
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime)
    by_user: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON)


class Notification(Base):
    """A message owed to someone about a case (the outbox): written in the transaction of the action
    that causes it, sent afterwards by a channel (SMS in production, the demo's inbox), marked sent
    once. (case_id, seq, recipient, channel) makes a second message for the same step impossible. It
    holds no text: the words are made from the case when it is sent, in the recipient's language."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_pending", "sent_at", "id"),
                      UniqueConstraint("case_id", "seq", "recipient", "channel"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    seq: Mapped[int] = mapped_column(Integer)  # the action of the case's log it tells of
    event: Mapped[str] = mapped_column(String(30))  # that action's type
    recipient: Mapped[str] = mapped_column(String(60), index=True)  # an ID number (a party) or an account
    channel: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[Optional[str]] = mapped_column(Text)


class IdempotencyKey(Base):
    """A submission's idempotency key: a replay returns the first result."""

    __tablename__ = "idempotency_keys"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    user: Mapped[str] = mapped_column(String(60), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """The audit log: who did or read what, when and why; each entry's hash covers the previous one."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime)
    who: Mapped[str] = mapped_column(String(60))
    what: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text)  # the case or person ids read or acted on, comma-separated
    why: Mapped[str] = mapped_column(String(200))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class User(Base):
    """Someone who signs in: a role (what they may do) and, for officers, a jurisdiction (what they may see)."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(60), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(20))
    township: Mapped[Optional[str]] = mapped_column(String(9))  # an officer's jurisdiction
    city_wide: Mapped[bool] = mapped_column(Boolean, default=False)  # a county approver's grant of the whole city
    id_number: Mapped[Optional[str]] = mapped_column(String(18), unique=True)  # an applicant: the person they are
    display_name: Mapped[str] = mapped_column(String(60))
    department: Mapped[Optional[str]] = mapped_column(String(20))  # a department account's: whose tasks it works


class DepartmentTask(Base):
    """A task a decision handed to a department (§十–§十五; hukou.linkage): written in the transaction
    of the registration or issuance that makes it, one per (case, action, task type, subject), so a
    decision written twice makes no second task. `fields` holds exactly what the department may see
    (its type's declared fields, at the decision). Open, then done (with the department's reference,
    an optional document's SHA-256, who and when) or refused (with the reason the station reads)."""

    __tablename__ = "department_tasks"
    __table_args__ = (UniqueConstraint("case_id", "action_seq", "task_type", "party"),
                      Index("ix_department_tasks_inbox", "department", "status", "due"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(36), ForeignKey("cases.id"), index=True)
    action_seq: Mapped[int] = mapped_column(Integer)  # the deciding action of the case's log
    task_type: Mapped[str] = mapped_column(String(40))
    party: Mapped[str] = mapped_column(String(9))  # whom it is about: applicant | f1 | …
    department: Mapped[str] = mapped_column(String(20))
    clause: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), server_default="open")  # open | done | refused
    created_at: Mapped[datetime] = mapped_column(DateTime)
    due: Mapped[date] = mapped_column(Date)
    fields: Mapped[dict] = mapped_column(JSON)
    closed_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    closed_by: Mapped[Optional[str]] = mapped_column(String(60))
    reference: Mapped[Optional[str]] = mapped_column(String(60))  # the department's own number for it
    document_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    refusal: Mapped[Optional[str]] = mapped_column(Text)


class ApiToken(Base):
    """A bearer token for the API, stored as its SHA-256 only."""

    __tablename__ = "api_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(60), ForeignKey("users.username", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
