"""The rulebook over a whole register at once: the same rules as `hukou.policy`, as Ibis expressions.

`verdict_table(tables, d, policy)` takes the register's normalized fact tables
(`hukou.registry.fact_tables`) as Ibis tables on any backend (DuckDB here; the expressions are
plain relational algebra with window functions, so PostgreSQL and Spark run them too) and returns
one row per person registered at D: settlement status, reason, route, household, key groups,
followers, permit status and reason, and the failing rule. SQL's NULL is the rulebook's unknown:
AND and OR on booleans follow Kleene's logic in SQL exactly as in `hukou.policy.trace`.

Every expression below names the single-person rule it mirrors; `tests/test_two_engines.py`
holds the two to the same verdicts field by field.
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir

from hukou.policy.calendar import months_before
from hukou.policy.conditions import STABLE_KINDS
from hukou.policy.errors import InputError
from hukou.policy.facts import HIGHER_EDUCATION
from hukou.policy.key_groups import KEY_GROUPS, MINOR_AGE, P_LONG_TERM_YEARS, P_NEW_GENERATION
from hukou.policy.calendar import DAYS_PER_EMPLOYMENT_MONTH, DAYS_PER_YEAR
from hukou.policy.policy_file import Policy
from hukou.policy.residence_permit import P_GUARDIAN_AGE, P_RESIDENCE_MONTHS
from hukou.policy.settlement import P_EMPLOYMENT, P_SOCIAL_INSURANCE

EPOCH = date(1970, 1, 1)
NULL_BOOL = ibis.null().cast("boolean")
HIGHER = sorted(HIGHER_EDUCATION)
OUTPUT_COLUMNS = ("person_id", "township", "settlement", "settlement_reason", "route", "household", "key_groups", "followers",
                  "residence_permit", "permit_reason", "guardian_required", "failed_rule")


def _days(d: date) -> int:
    return (d - EPOCH).days


def _ymd(d: date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def _ymd_of(col: ir.DateValue) -> ir.IntegerValue:
    return col.year() * 10000 + col.month() * 100 + col.day()


def _under(birth: ir.DateValue, d: date, years: int) -> ir.BooleanValue:
    """Age at d below `years`: the birthday (month, day) of year d.year − years not yet reached."""
    return _ymd_of(birth) > (d.year - years) * 10000 + d.month * 100 + d.day


def _known(flag: ir.BooleanValue, value: ir.BooleanValue) -> ir.BooleanValue:
    """The value where the fact is known, NULL (unknown) where it is not."""
    return ibis.ifelse(flag, value, NULL_BOOL)


def _flag(expr: ir.BooleanValue) -> ir.BooleanValue:
    return expr.fill_null(False)


def _union_days(t: ir.Table, start: str, end: str) -> ir.Table:
    """Per person, the units covered by the union of integer intervals [start, end] (overlaps once)."""
    w = ibis.window(group_by=t.person_id, order_by=[t[start], t[end]], rows=(None, -1))
    prev = t[end].max().over(w)
    lo = ibis.greatest(t[start], (prev + 1).fill_null(t[start]))
    t = t.mutate(_part=ibis.greatest(t[end] - lo + 1, 0))
    return t.group_by("person_id").aggregate(covered=t._part.sum())


def _clip_days(t: ir.Table, d: date) -> ir.Table:
    """Intervals started by d, as epoch days with open or later ends cut at d (RULEBOOK §1)."""
    dd = _days(d)
    t = t.filter(t.start <= d)
    return t.mutate(s=t.start.epoch_days(), e=ibis.least(t.end.epoch_days().fill_null(dd), dd))


def _current_run_start(residence: ir.Table, d: date) -> ir.Table:
    """Start (epoch day) of the merged run of residence intervals, touching or overlapping, covering d."""
    t = _clip_days(residence, d)
    w_prev = ibis.window(group_by=t.person_id, order_by=[t.s, t.e], rows=(None, -1))
    t = t.mutate(_new=(t.s > t.e.max().over(w_prev) + 1).fill_null(True).cast("int64"))
    w_cum = ibis.window(group_by=t.person_id, order_by=[t.s, t.e], rows=(None, 0))
    t = t.mutate(_island=t._new.sum().over(w_cum))
    islands = t.group_by(["person_id", "_island"]).aggregate(run_start=t.s.min(), run_end=t.e.max())
    return islands.filter(islands.run_end == _days(d)).select("person_id", "run_start")


def _any(t: ir.Table, **flags: ir.BooleanValue) -> ir.Table:
    """Per person, whether any row satisfies each predicate (NULL predicates count as false)."""
    return t.group_by("person_id").aggregate(**{name: _flag(expr).any() for name, expr in flags.items()})


def _facts(tables: dict[str, ir.Table], d: date, policy: Policy) -> ir.Table:
    """One row per person registered at d, with every per-person aggregate the rules read."""
    D = ibis.literal(d)
    people = tables["people"]
    hukou = tables["hukou"].filter(tables["hukou"].since <= D)
    hukou = hukou.mutate(_rn=ibis.row_number().over(group_by=hukou.person_id, order_by=ibis.desc(hukou.since)))
    hukou = hukou.filter(hukou._rn == 0).select("person_id", hukou_place="place", hukou_urban="urban")
    base = people.filter(people.birth_date <= D).inner_join(hukou, "person_id")

    edu = tables["education"].filter(tables["education"].admitted <= D)
    graduated = edu.graduated.notnull() & (edu.graduated <= D)
    edu_aggs = _any(
        edu,
        e_graduate=~edu.abroad & edu.level.isin(HIGHER) & graduated,
        e_vocational=~edu.abroad & (edu.level == "vocational") & graduated,
        e_abroad_certified=edu.abroad & graduated & _flag(edu.certified),
        e_abroad_uncertain=edu.abroad & graduated & edu.certified.isnull(),
        e_enrolled_in_city=edu.institution_in_city & edu.level.isin(HIGHER) & ~graduated,
        e_studying=~graduated,
        e_admitted_higher=edu.level.isin(HIGHER),
    )
    quals = tables["qualifications"]
    qual_aggs = _any(quals, q_obtained=quals.obtained.notnull() & (quals.obtained <= D))

    res = tables["residence"]
    covering = res.filter((res.start <= D) & (res.end.isnull() | (res.end >= D)))
    cov_aggs = covering.group_by("person_id").aggregate(
        r_covers=covering.count() > 0,
        r_place=covering.place.min(),
        r_urban_true=_flag(covering.urban).any(),
        r_urban_null=covering.urban.isnull().any(),
    )
    clipped_res = _clip_days(res, d)
    urban_days = _union_days(clipped_res.filter(_flag(clipped_res.urban)), "s", "e").rename(r_urban_days="covered")
    maybe_urban_days = _union_days(clipped_res.filter(clipped_res.urban.isnull() | clipped_res.urban), "s", "e") \
        .rename(r_maybe_urban_days="covered")
    run = _current_run_start(res, d)

    jobs = tables["employment"]
    job_aggs = _any(jobs, j_employed=(jobs.start <= D) & (jobs.end.isnull() | (jobs.end >= D)))
    job_days = _union_days(_clip_days(jobs, d), "s", "e").rename(j_days="covered")

    si = tables["social_insurance"]
    d_month = d.year * 12 + d.month - 1
    si = si.filter(si.start_month <= d_month)
    si = si.mutate(s=si.start_month, e=ibis.least(si.end_month.fill_null(d_month), d_month))
    si_months = _union_days(si, "s", "e").rename(si_months="covered")

    housing = tables["housing"].select("person_id", h_kind="kind", h_registered="registered")
    mil = tables["military"]
    mil_aggs = _any(mil, m_discharged=mil.discharged.notnull() & (mil.discharged <= D))

    fam = tables["family"]
    child = (fam.relation == "child") & (fam.birth_date <= D)
    minor = child & _under(fam.birth_date, d, MINOR_AGE)
    fam_aggs = fam.group_by("person_id").aggregate(
        f_spouse=(fam.relation == "spouse").any(),
        f_spouse_moving=((fam.relation == "spouse") & fam.moving).any(),
        f_someone_moving=(((fam.relation != "child") | child) & fam.moving).any(),
        f_minor_staying=_flag(minor & ~fam.moving).any(),
        f_followers=_flag(((fam.relation != "child") | minor) & fam.moving).cast("int64").sum(),
    )

    joined = base
    for agg in (edu_aggs, qual_aggs, cov_aggs, urban_days, maybe_urban_days, run, job_aggs, job_days, si_months,
                housing, mil_aggs, fam_aggs):
        joined = joined.left_join(agg, "person_id").drop("person_id_right")
    return joined


def verdict_table(tables: dict[str, ir.Table], d: date, policy: Policy) -> ir.Table:
    """Per-person verdicts at d for every person registered then (RULEBOOK §3–§4, as in `evaluate`)."""
    values = policy.values_at(d)
    _check_supported(policy)
    t = _facts(tables, d, policy)
    f = _flag
    city = policy.city.code

    # Stage 1: each condition once, as a nullable boolean (NULL = unknown). The stages keep the SQL
    # small: every later expression reads these columns instead of repeating them.
    si_required, emp_required = values[P_SOCIAL_INSURANCE], values[P_EMPLOYMENT]
    need = values[P_LONG_TERM_YEARS] * DAYS_PER_YEAR
    months = values[P_RESIDENCE_MONTHS]
    c = t.select(
        "person_id", "birth_date",
        township=t.r_place.substr(0, 9),
        hukou_urban=t.hukou_urban,
        local=t.hukou_place.startswith(city),
        # talent (settlement.talent_route)
        graduate=_known(t.education_known, f(t.e_graduate)),
        vocational=_known(t.education_known, f(t.e_vocational)),
        skilled=_known(t.qualifications_known, f(t.q_obtained)),
        overseas=_known(t.education_known, ibis.cases((f(t.e_abroad_certified), True),
                                                      (f(t.e_abroad_uncertain), NULL_BOOL), else_=False)),
        # student (settlement.student_route)
        enrolled=_known(t.education_known, f(t.e_enrolled_in_city)),
        # general (conditions.legal_stable_residence, urban_place; settlement._months_at_least)
        lsr=_known(t.housing_known, ibis.cases((t.h_kind.isin(sorted(STABLE_KINDS)), True),
                                               (t.h_kind == "rented", t.h_registered), else_=False))
        & _known(t.residence_known, f(t.r_covers)),
        urban_place=_known(t.residence_known, ibis.cases((f(t.r_urban_true), True), (f(t.r_urban_null), NULL_BOOL),
                                                         else_=False)),
        si_ok=ibis.literal(True) if si_required <= 0 else _known(t.social_insurance_known,
                                                                  t.si_months.fill_null(0) >= si_required),
        emp_ok=ibis.literal(True) if emp_required <= 0 else _known(
            t.employment_known, (t.j_days.fill_null(0) // DAYS_PER_EMPLOYMENT_MONTH) >= emp_required),
        # key groups (key_groups.evaluate_key_groups): set only when known to hold
        g_student_or_military=f(t.education_known & f(t.e_admitted_higher)) | f(t.m_discharged),
        g_long_term_urban=f(t.residence_known & (t.r_urban_days.fill_null(0) >= need))
        & f(t.employment_known & (t.j_days.fill_null(0) >= need)),
        g_whole_family=f(t.f_someone_moving) & (~f(t.f_spouse) | f(t.f_spouse_moving)) & ~f(t.f_minor_staying),
        g_new_generation=(t.birth_date >= ibis.literal(values[P_NEW_GENERATION])) & f(t.employment_known & f(t.j_employed)),
        # residence permit (residence_permit.evaluate_permit)
        duration=ibis.literal(True) if months <= 0 else _known(
            t.residence_known, f(t.run_start <= _days(months_before(d, months)))),
        employed=_known(t.employment_known, f(t.j_employed)),
        studying=_known(t.education_known, f(t.e_studying)),
        followers_if_eligible=t.f_followers.fill_null(0),
    )
    # Stage 2: routes and their Kleene combinations
    r = c.mutate(
        talent=c.graduate | c.vocational | c.skilled | c.overseas,
        student=~c.hukou_urban & c.enrolled,
        general=c.lsr & c.urban_place & c.si_ok & c.emp_ok,
        already=c.hukou_urban & c.local,
        basis=c.employed | c.lsr | c.studying,
    )
    is_true, is_false = f, (lambda x: f(~x))
    r = r.mutate(
        eligible=~r.already & (is_true(r.talent) | is_true(r.student) | is_true(r.general)),
        all_false=is_false(r.talent) & is_false(r.student) & is_false(r.general),
        permit_ok=r.duration & r.basis,
    )
    # Stage 3: the verdict's fields
    none = ibis.null("string")
    route = ibis.cases((r.already, none), (is_true(r.talent), "talent"), (is_true(r.student), "student"),
                       (is_true(r.general), "general"), else_=none)
    rural = ~r.hukou_urban
    key_groups = ibis.array([ibis.ifelse(rural & r[f"g_{name}"], name, none) for name in KEY_GROUPS]) \
        .filter(lambda g: g.notnull())
    return r.select(
        person_id=r.person_id,
        township=r.township,
        settlement=ibis.cases((r.already, "ineligible"), (r.eligible, "eligible"), (r.all_false, "ineligible"),
                              else_="undetermined"),
        settlement_reason=ibis.cases((r.already, "already_settled"), (~r.eligible & r.all_false, "no_route"), else_=none),
        route=route,
        household=ibis.cases(
            (route == "talent", ibis.cases((is_true(r.lsr), "family"), (is_false(r.lsr), "collective"), else_=none)),
            (route == "student", "collective"), (route == "general", "family"), else_=none),
        key_groups=key_groups,
        followers=ibis.ifelse(r.eligible, r.followers_if_eligible, 0).cast("int64"),
        residence_permit=ibis.cases((r.local, "ineligible"), (is_true(r.permit_ok), "eligible"),
                                    (is_false(r.permit_ok), "ineligible"), else_="undetermined"),
        permit_reason=ibis.cases((r.local, "local_hukou"), (is_false(r.duration), "short_residence"),
                                 (is_false(r.basis), "no_employment_housing_or_study"), else_=none),
        guardian_required=_under(r.birth_date, d, values[P_GUARDIAN_AGE]),
        failed_rule=ibis.cases((r.already, "precondition.already_settled"),
                               (r.eligible | ~r.all_false, none),
                               (is_false(r.lsr), "general.legal_stable_residence"),
                               (is_false(r.urban_place), "general.urban_place"),
                               (is_false(r.si_ok), "general.social_insurance"),
                               else_="general.employment"),
    ).order_by("person_id")


def _check_supported(policy: Policy) -> None:
    if policy.extra_conditions:
        raise InputError("extra_conditions", "the register engine does not run extra conditions yet; "
                                             "check people one at a time with `hukou check`")
