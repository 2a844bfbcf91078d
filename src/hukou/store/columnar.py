"""The rulebook over a whole register at once: the same rules as `hukou.policy`, as Ibis expressions.

`verdicts(tables, d, policy)` takes the register's normalized fact tables
(`hukou.registry.fact_tables`) as Ibis tables (DuckDB over Parquet; the expressions are plain
relational algebra with window functions, written with Ibis so that other backends compile them
too: PostgreSQL, `tests/test_database.py`, and Spark, `tests/test_spark_engine.py`, give the same
rows) and returns
one row per person registered at D: settlement status, reason, route, household, each route's
result, key groups, followers, what settlement still asks, permit status, reason and what it still
asks, and the failing rule. SQL's NULL is the rulebook's unknown:
AND and OR on booleans follow Kleene's logic in SQL exactly as in `hukou.policy.trace`.

Every expression below names the single-person rule it mirrors; `tests/test_two_engines.py`
holds the two to the same verdicts field by field.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from hukou.policy.calendar import days_in_month, months_before
from hukou.policy.conditions import STABLE_KINDS
from hukou.policy.errors import InputError
from hukou.policy.facts import HIGHER_EDUCATION
from hukou.policy.key_groups import KEY_GROUPS, MINOR_AGE, P_LONG_TERM_YEARS, P_NEW_GENERATION
from hukou.policy.calendar import DAYS_PER_EMPLOYMENT_MONTH, DAYS_PER_YEAR
from hukou.policy.policy_file import Policy
from hukou.policy.residence_permit import P_GUARDIAN_AGE, P_RESIDENCE_MONTHS
from hukou.policy.settlement import P_EMPLOYMENT, P_SOCIAL_INSURANCE
from hukou.store import missing_keys
from hukou.store.verdict_lists import OUTPUT_COLUMNS, BitList, bits, bits_column, item_flags, with_lists

EPOCH = date(1970, 1, 1)
SEQ_SPAN = 1 << 31  # hukou.seq is a 32-bit integer from 1
NULL_BOOL = ibis.null().cast("boolean")
HIGHER = sorted(HIGHER_EDUCATION)


def _days(d: date) -> int:
    return (d - EPOCH).days


def last_birth_date_of_age(d: date, years: int) -> date:
    """The latest birth date of a person aged `years` or more at d: the birthday (month, day) of year
    d.year − years reached by d; a 29 February birthday counts as reached on 28 February's day after."""
    year = d.year - years
    return date(year, d.month, min(d.day, days_in_month(year, d.month)))


def _under(birth: ir.DateValue, d: date, years: int) -> ir.BooleanValue:
    """Age at d below `years`."""
    return birth > ibis.literal(last_birth_date_of_age(d, years))


def _known(flag: ir.BooleanValue, value: ir.BooleanValue) -> ir.BooleanValue:
    """The value where the fact is known, NULL (unknown) where it is not."""
    return ibis.ifelse(flag, value, NULL_BOOL)


def _flag(expr: ir.BooleanValue) -> ir.BooleanValue:
    return expr.fill_null(False)


def _clip_days(t: ir.Table, d: date) -> ir.Table:
    """Intervals started by d, as epoch days with open or later ends cut at d (RULEBOOK §1)."""
    dd = _days(d)
    t = t.filter(t.start <= d)
    return t.mutate(s=t.start.epoch_days(), e=ibis.least(t.end.epoch_days().fill_null(dd), dd))


def _covered_part(s: ir.IntegerValue, e: ir.IntegerValue, prev_max: ir.IntegerValue) -> ir.IntegerValue:
    """A row's share of the union of intervals ordered by (s, e): the days no earlier row covered.
    Summed per person this is the union's length, overlaps counted once (calendar.covered_days)."""
    return ibis.greatest(e - ibis.greatest(s, (prev_max + 1).fill_null(s)) + 1, 0)


def _per_person(t: ir.Table, **aggregates: ir.Value) -> ir.Table:
    return t.group_by("person_id").aggregate(**aggregates)


def facts_table(tables: dict[str, ir.Table], d: date, policy: Policy) -> ir.Table:
    """One row per person registered at d, with every per-person fact the rules read.

    Each source table is reduced to one row per person with only numbers and booleans (strings are
    slow to aggregate), then joined to the people registered at d."""
    D = ibis.literal(d)
    f = _flag
    dd = _days(d)
    parts = []

    # the registration in force at d: the greatest (since, seq), found as one integer maximum of
    # (since × 2³¹ + seq) × 4 + in-the-city × 2 + urban (cheaper than arg_max)
    hukou = tables["hukou"].filter(tables["hukou"].since <= D)
    # (days counted from 1422 rather than 1970, so every value is positive and SQL's division exact)
    packed = (((hukou.since.epoch_days().cast("int64") + 200_000) * SEQ_SPAN + hukou.seq.cast("int64")) * 4
              + ibis.ifelse(hukou.place.startswith(policy.city.code), 2, 0) + ibis.ifelse(hukou.urban, 1, 0))
    latest = _per_person(hukou, _packed=packed.max())
    parts.append(latest.select("person_id", hukou_local=(latest._packed // 2) % 2 == 1, hukou_urban=latest._packed % 2 == 1))

    edu = tables["education"].filter(tables["education"].admitted <= D)
    graduated = f(edu.graduated.notnull() & (edu.graduated <= D))
    parts.append(_per_person(
        edu,
        e_graduate=f(~edu.abroad & edu.level.isin(HIGHER) & graduated).any(),
        e_vocational=f(~edu.abroad & (edu.level == "vocational") & graduated).any(),
        e_abroad_certified=f(edu.abroad & graduated & f(edu.certified)).any(),
        e_abroad_uncertain=f(edu.abroad & graduated & edu.certified.isnull()).any(),
        e_enrolled_in_city=f(edu.institution_in_city & edu.level.isin(HIGHER) & ~graduated).any(),
        e_studying=(~graduated).any(),
        e_admitted_higher=edu.level.isin(HIGHER).any(),
    ))
    quals = tables["qualifications"]
    parts.append(_per_person(quals, q_obtained=f(quals.obtained.notnull() & (quals.obtained <= D)).any()))

    # residence: covering D, and (one window pass ordered by start, end) the union of urban days and
    # the start of the current run (conditions.current_residence_start, key_groups._long_term_urban)
    res = _clip_days(tables["residence"], d)
    w = ibis.window(group_by=res.person_id, order_by=[res.s, res.e], rows=(None, -1))
    res = res.mutate(_prev=res.e.max().over(w), _prev_urban=ibis.ifelse(f(res.urban), res.e, ibis.null("int64")).max().over(w))
    covers = res.e == dd
    parts.append(_per_person(
        res,
        r_covers=covers.any(),
        r_township=ibis.ifelse(covers, res.place.substr(0, 9).cast("int64"), ibis.null("int64")).min(),
        r_urban_true=(covers & f(res.urban)).any(),
        r_urban_null=(covers & res.urban.isnull()).any(),
        r_urban_days=ibis.ifelse(f(res.urban), _covered_part(res.s, res.e, res._prev_urban), 0).sum(),
        r_last_end=res.e.max(),
        r_run_start=ibis.ifelse(res._prev.isnull() | (res.s > res._prev + 1), res.s, ibis.null("int64")).max(),
    ))

    jobs = _clip_days(tables["employment"], d)
    wj = ibis.window(group_by=jobs.person_id, order_by=[jobs.s, jobs.e], rows=(None, -1))
    jobs = jobs.mutate(_prev=jobs.e.max().over(wj))
    parts.append(_per_person(jobs, j_employed=(jobs.e == dd).any(), j_days=_covered_part(jobs.s, jobs.e, jobs._prev).sum()))

    facts_read = {c.require.fact for c in policy.extra_conditions}
    if policy.values_at(d)[P_SOCIAL_INSURANCE] > 0 or "social_insurance_months" in facts_read:
        # a requirement of 0 reads nothing (RULEBOOK §1)
        si = tables["social_insurance"]
        d_month = d.year * 12 + d.month - 1
        si = si.filter(si.start_month <= d_month)
        si = si.mutate(s=si.start_month.cast("int64"), e=ibis.least(si.end_month.fill_null(d_month), d_month).cast("int64"))
        ws = ibis.window(group_by=si.person_id, order_by=[si.s, si.e], rows=(None, -1))
        si = si.mutate(_prev=si.e.max().over(ws))
        parts.append(_per_person(si, si_months=_covered_part(si.s, si.e, si._prev).sum()))

    housing = tables["housing"]
    kind = {"h_kind": housing.kind.max()} if "housing.kind" in facts_read else {}
    parts.append(_per_person(housing, h_stable=housing.kind.isin(sorted(STABLE_KINDS)).any(),
                             h_rented=(housing.kind == "rented").any(), h_registered=housing.registered.any(), **kind))
    mil = tables["military"]
    parts.append(_per_person(mil, m_discharged=f(mil.discharged.notnull() & (mil.discharged <= D)).any()))

    fam = tables["family"]
    child = f((fam.relation == "child") & (fam.birth_date <= D))
    minor = child & f(_under(fam.birth_date, d, MINOR_AGE))
    parts.append(_per_person(
        fam,
        f_spouse=(fam.relation == "spouse").any(),
        f_spouse_moving=((fam.relation == "spouse") & fam.moving).any(),
        f_someone_moving=(((fam.relation != "child") | child) & fam.moving).any(),
        f_minor_staying=(minor & ~fam.moving).any(),
        f_followers=ibis.ifelse(((fam.relation != "child") | minor) & fam.moving, 1, 0).sum(),
    ))

    parts += _list_conditions(tables, d, policy)

    people = tables["people"]
    t = people.filter(people.birth_date <= D).inner_join(parts[0], "person_id")
    for part in parts[1:]:
        t = t.left_join(part, "person_id").drop("person_id_right")
    if "si_months" not in t.columns:
        t = t.mutate(si_months=ibis.null("int64"))
    # the current residence run is the last one, if it reaches d
    return t.mutate(run_start=ibis.ifelse(t.r_last_end == dd, t.r_run_start, ibis.null("int64")))


def verdict_table(tables: dict[str, ir.Table], d: date, policy: Policy) -> ir.Table:
    """Per-person verdicts at d for every person registered then (RULEBOOK §3–§4, as in `evaluate`)."""
    return rules_table(facts_table(tables, d, policy), d, policy)


def rules_table(t: ir.Table, d: date, policy: Policy) -> ir.Table:
    """The rules over the per-person facts (`facts_table`, or `sorted_facts.facts` as a table):
    row by row, no joins."""
    values = policy.values_at(d)
    f = _flag

    # Stage 1: each condition once, as a nullable boolean (NULL = unknown). The stages keep the SQL
    # small: every later expression reads these columns instead of repeating them.
    si_required, emp_required = values[P_SOCIAL_INSURANCE], values[P_EMPLOYMENT]
    need = values[P_LONG_TERM_YEARS] * DAYS_PER_YEAR
    months = values[P_RESIDENCE_MONTHS]
    lsr_housing = _known(t.housing_known, ibis.cases((f(t.h_stable), True), (f(t.h_rented), t.h_registered), else_=False))
    lsr_residence = _known(t.residence_known, f(t.r_covers))
    c = t.select(
        "person_id", "birth_date",
        township=t.r_township.cast("string"),
        hukou_urban=t.hukou_urban,
        local=t.hukou_local,
        # talent (settlement.talent_route)
        graduate=_known(t.education_known, f(t.e_graduate)),
        vocational=_known(t.education_known, f(t.e_vocational)),
        skilled=_known(t.qualifications_known, f(t.q_obtained)),
        overseas=_known(t.education_known, ibis.cases((f(t.e_abroad_certified), True),
                                                      (f(t.e_abroad_uncertain), NULL_BOOL), else_=False)),
        # student (settlement.student_route)
        enrolled=_known(t.education_known, f(t.e_enrolled_in_city)),
        # general (conditions.legal_stable_residence, urban_place; settlement._months_at_least)
        lsr_housing=lsr_housing,
        lsr_residence=lsr_residence,
        lsr=lsr_housing & lsr_residence,
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
        **{f"x{i}": _extra_condition(c.require, i, t, d, policy) for i, c in enumerate(policy.extra_conditions)},
    )
    extras = {route: [f"x{i}" for i, c in enumerate(policy.extra_conditions) if c.route == route]
              for route in ("talent", "student", "general")}
    # Stage 2: routes and their Kleene combinations
    r = c.mutate(
        talent=_all((c.graduate | c.vocational | c.skilled | c.overseas, *(c[x] for x in extras["talent"]))),
        student=_all((~c.hukou_urban & c.enrolled, *(c[x] for x in extras["student"]))),
        general=_all((c.lsr, c.urban_place, c.si_ok, c.emp_ok, *(c[x] for x in extras["general"]))),
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
    settlement_open = ~r.already & ~r.eligible & ~r.all_false
    permit_open = ~r.local & r.permit_ok.isnull()
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
        # settlement.routes (the already settled: every route "false")
        **{f"route_{name}": ibis.cases((r.already, "false"), (is_true(r[name]), "true"), (is_false(r[name]), "false"),
                                       else_="unknown") for name in ("talent", "student", "general")},
        key_groups_bits=bits([rural & r[f"g_{name}"] for name in KEY_GROUPS]),
        followers=ibis.ifelse(r.eligible, r.followers_if_eligible, 0).cast("int64"),
        settlement_missing_bits=missing_keys.asked_bits(r, settlement_open, missing_keys.settlement(policy)),
        residence_permit=ibis.cases((r.local, "ineligible"), (is_true(r.permit_ok), "eligible"),
                                    (is_false(r.permit_ok), "ineligible"), else_="undetermined"),
        permit_reason=ibis.cases((r.local, "local_hukou"), (is_false(r.duration), "short_residence"),
                                 (is_false(r.basis), "no_employment_housing_or_study"), else_=none),
        permit_missing_bits=missing_keys.asked_bits(r, permit_open, missing_keys.PERMIT),
        guardian_required=_under(r.birth_date, d, values[P_GUARDIAN_AGE]),
        failed_rule=ibis.cases((r.already, "precondition.already_settled"),
                               (r.eligible | ~r.all_false, none),
                               (is_false(r.lsr), "general.legal_stable_residence"),
                               (is_false(r.urban_place), "general.urban_place"),
                               (is_false(r.si_ok), "general.social_insurance"),
                               (is_false(r.emp_ok), "general.employment"),
                               *((is_false(r[x]), f"general.extra.{int(x[1:]) + 1}") for x in extras["general"]),
                               else_=none),
    )


def decoded(table: pa.Table) -> pa.Table:
    """The table with its dictionary columns as plain values: two verdict tables hold the same rows
    when their decoded forms are equal, however each engine numbered its strings."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table[field.name].cast(field.type.value_type))
    return table


def verdict_rows(tables: dict[str, ir.Table], d: date, policy: Policy) -> ir.Table:
    """The verdicts as the rows of `OUTPUT_COLUMNS`, the lists built by the engine itself from their
    bits (`verdict_lists.item_flags`): for an engine that writes the result where it runs (Spark, from its
    executors) instead of handing it back."""
    t = verdict_table(tables, d, policy)
    lists = {name: ibis.array([ibis.ifelse(flag, label, ibis.null("string"))
                               for label, flag in item_flags(t[bits_column(name)], listed)])
             .filter(lambda item: item.notnull()) for name, listed in verdict_lists(policy).items()}
    return t.select(*(lists[c].name(c) if c in lists else t[c] for c in OUTPUT_COLUMNS))


def verdict_lists(policy: Policy) -> dict[str, BitList]:
    """How each list of the verdicts is read from its bits (`rules_table`'s `<list>_bits`)."""
    return {"key_groups": BitList(tuple((name, None, name) for name in KEY_GROUPS)),
            "settlement_missing": missing_keys.settlement(policy), "permit_missing": missing_keys.PERMIT}


def summary(t: ir.Table) -> ir.Table:
    """People by settlement status and route, with how many of them may have a residence permit."""
    return t.group_by(settlement=t.settlement, route=t.route.fill_null("—")).aggregate(
        people=t.count(), permit_eligible=(t.residence_permit == "eligible").sum()).order_by(["settlement", "route"])


def verdicts(tables: dict[str, ir.Table], d: date, policy: Policy,
             run: Callable[[ir.Table], pa.Table] | None = None) -> pa.Table:
    """Run the rules over the register at d: one row per person (`OUTPUT_COLUMNS`). `run` executes
    the query (by default in one go; `parquet_register.run_by_person_ranges` runs it a range of people
    at a time)."""
    expr = verdict_table(tables, d, policy)
    return with_lists(run(expr) if run else expr.to_pyarrow(), verdict_lists(policy))


def _all(conditions) -> ir.BooleanValue:
    """Kleene AND of several conditions (SQL's AND is Kleene's)."""
    out = conditions[0]
    for c in conditions[1:]:
        out = out & c
    return out


def _compare(actual: ir.Value, op: str, value) -> ir.BooleanValue:
    if op == "==":
        return actual == value
    if op == "!=":
        return actual != value
    if op == "in":
        return actual.isin(list(value))
    if op == "not_in":
        return ~actual.isin(list(value))
    if op == "startswith":
        return actual.cast("string").startswith(str(value))
    return {"<": actual < value, "<=": actual <= value, ">": actual > value, ">=": actual >= value}[op]


# Record tables an extra condition may reach into: the column whose day must be on or before D
# (extra_conditions._dated_on_or_before; a NULL day is not), or None for every record, and the flag
# that says whether the topic is known.
LIST_TABLES = {
    "residence": ("start", "residence_known"),
    "employment": ("start", "employment_known"),
    "education": ("admitted", "education_known"),
    "qualifications": ("obtained", "qualifications_known"),
    "military": (None, None),  # one record or none; absent means none
    "housing": (None, "housing_known"),
}
_COLUMN = {"from": "start", "to": "end"}


def list_condition_paths(fact: str) -> tuple[str, str] | None:
    """The (table, column) an extra condition on a record path reads, or None for a per-person fact."""
    table, _, column = fact.partition(".")
    if table in LIST_TABLES and column and "." not in column and fact != "housing.kind":
        return table, _COLUMN.get(column, column)
    return None


def _list_conditions(tables: dict[str, ir.Table], d: date, policy: Policy) -> list[ir.Table]:
    """Per person, whether some record satisfies each extra condition on a record path, and whether
    some record leaves it unknown (a NULL value)."""
    D = ibis.literal(d)
    parts = []
    for i, c in enumerate(policy.extra_conditions):
        path = list_condition_paths(c.require.fact)
        if path is None:
            continue
        name, column = path
        dated, _ = LIST_TABLES[name]
        t = tables[name]
        if column not in t.columns:
            raise InputError(f"extra_conditions[{i}].require.fact", f"{name} has no field {column!r}")
        if dated:
            t = t.filter(t[dated].notnull() & (t[dated] <= D))
        pred = _compare(t[column], c.require.op, c.require.value)
        if name == "housing":  # one current record: its value, unknown where it is NULL
            parts.append(_per_person(t, **{f"x{i}_value": pred.any()}))
        else:
            # unknown where the record's value is NULL, as in extra_conditions._evaluate (testing the
            # value, not the comparison, also keeps `x IN (…) IS NULL` out of the SQL: Spark cannot parse it)
            parts.append(_per_person(t, **{f"x{i}_true": _flag(pred).any(), f"x{i}_null": t[column].isnull().any()}))
    return parts


def _extra_condition(req, index: int, t: ir.Table, d: date, policy: Policy) -> ir.BooleanValue:
    """A city's extra condition (extra_conditions.evaluate_extras) on the facts the engine carries."""
    fact, op, value = req.fact, req.op, req.value
    if fact == "age":
        birthday_not_reached = (t.birth_date.month() * 100 + t.birth_date.day()) > (d.month * 100 + d.day)
        actual = d.year - t.birth_date.year() - ibis.ifelse(birthday_not_reached, 1, 0)
        return _compare(actual, op, value)
    if fact == "residence_months":
        start = (ibis.date(EPOCH.isoformat()) + t.run_start.as_interval("D"))
        months = (d.year - start.year()) * 12 + (d.month - start.month()) - ibis.ifelse(
            ibis.least(start.day(), days_in_month(d.year, d.month)) > d.day, 1, 0)
        return _known(t.residence_known, _flag(_compare(months.fill_null(0), op, value)))
    if fact == "employment_months":
        return _known(t.employment_known, _flag(_compare(t.j_days.fill_null(0) // DAYS_PER_EMPLOYMENT_MONTH, op, value)))
    if fact == "social_insurance_months":
        return _known(t.social_insurance_known, _flag(_compare(t.si_months.fill_null(0), op, value)))
    if fact == "housing.kind":
        return _known(t.housing_known, _flag(_compare(t.h_kind.fill_null("none"), op, value)))
    if fact == "hukou.urban":
        return _compare(t.hukou_urban, op, value)
    if fact == "hukou.place" and op == "startswith" and str(value) == policy.city.code:
        return t.hukou_local
    path = list_condition_paths(fact)
    if path is not None:
        name = path[0]
        known = LIST_TABLES[name][1]
        if name == "housing":
            return _known(t[known], t[f"x{index}_value"])
        found = ibis.cases((_flag(t[f"x{index}_true"]), True),
                           (_flag(t[f"x{index}_null"]) if name != "military" else ibis.literal(False), NULL_BOOL),
                           else_=False)
        return found if known is None else _known(t[known], found)
    raise InputError(f"extra_conditions[{index}].require.fact",
                     f"the register engine does not compile a condition on {fact!r} yet; check people one at a time "
                     "with `hukou check`")
