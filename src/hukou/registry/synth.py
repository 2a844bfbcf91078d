"""A synthetic Changji: a register of residents generated to match the 2020 census, for every test
and benchmark that needs a whole city. Deterministic for a seed; every table built with numpy at once.

What is real: the 19 township-level units (2023 statistical codes), the census totals (607,441
residents, 74.28% urban), origin counties (GB/T 2260 codes from python-stdnum's data), the ID-number
format and check digit (GB 11643). What is generated, and says so: the communities (社区, urban, codes
001–099 under each unit) and villages (村, rural, codes 200–299), every person and every history.

Calibration (state on the census day, 2020-11-01): about 65% of residents hold a hukou of the city, of
whom about 40% held an urban hukou at the end of 2018 (the hukou urbanization rate the plan starts
from); the rest are migrants, mostly with a rural hukou elsewhere. Migrants arrive over 2000–2020;
students study at the city's colleges; some residents are veterans; families have children.
Histories are consistent: nobody works before 16, graduations follow admissions, children are born
to parents over 18, hukou moves follow birth. A few rural locals were registered into a community and
back into their village on the same day: of those two, the later written (`seq`) is in force. Some facts are left unknown on purpose (the register
is never complete), so the rules' "undetermined" is exercised at scale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hukou.registry.divisions import changji_townships
from hukou.registry.fact_tables import SCHEMAS

CENSUS_DAY = date(2020, 11, 1)
CENSUS_RESIDENTS = 607_441
CENSUS_URBAN_SHARE = 0.7428
CITY = "652301"
EPOCH = np.datetime64("1970-01-01", "D")

# Residents by hukou: local urban, local rural, migrant (hukou elsewhere)
LOCAL_URBAN, LOCAL_RURAL, MIGRANT = 0, 1, 2
HUKOU_SHARES = (0.27, 0.38, 0.35)
# Of each group, the share living in an urban place (solves the census urban share with the above)
URBAN_LIVING = (0.95, 0.47, 0.90)
MOVED_TO_URBAN_2019_2020 = 0.055  # of local urban hukou: moved in from a village of the city in 2019–2020
CORRECTED_SAME_DAY = 0.005  # of local rural hukou: moved into a community and back the same day

ORIGIN_PROVINCES = {"65": 0.45, "62": 0.15, "41": 0.13, "51": 0.09, "61": 0.04, "50": 0.03, "63": 0.03,
                    "64": 0.02, "37": 0.02, "34": 0.02, "43": 0.02}

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏斌宇浩凯晨欣怡佳雪梅琳婷倩颖蕾海波峰飞亮成林东宁阳春")
TRANSLITERATED = ["阿依古丽", "努尔兰", "古丽娜尔", "艾尔肯", "叶尔江", "阿迪力", "热依拉", "木拉提", "巴合提", "迪娜拉"]


@dataclass(frozen=True)
class Unit:
    code: str  # 12 digits
    township: str  # 9 digits
    urban_class: str  # 111, 112, 121, 122, 210, 220
    name: str

    @property
    def urban(self) -> bool:
        return self.urban_class.startswith("1")


def make_units(seed: int) -> list[Unit]:
    """Generated communities and villages under the real township-level units (fixed for a seed)."""
    rng = np.random.default_rng(seed + 7919)
    units: list[Unit] = []
    for t in changji_townships():
        if t.kind == "street":
            n_comm, n_vill, comm_class = int(rng.integers(10, 16)), 0, "111"
        elif t.kind == "town":
            n_comm, n_vill, comm_class = int(rng.integers(2, 5)), int(rng.integers(8, 15)), "121"
        elif t.kind == "township":
            n_comm, n_vill, comm_class = 1, int(rng.integers(6, 10)), "122"
        else:
            n_comm, n_vill, comm_class = int(rng.integers(1, 3)), int(rng.integers(1, 4)), "112"
        for i in range(n_comm):
            units.append(Unit(f"{t.code}{i + 1:03d}", t.code, comm_class, f"{t.name}第{i + 1}社区"))
        for i in range(n_vill):
            cls = "210" if t.kind == "town" and i < 3 else "220"
            units.append(Unit(f"{t.code}{200 + i + 1:03d}", t.code, cls, f"{t.name}第{i + 1}村"))
    return units


@lru_cache(maxsize=1)
def county_codes() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """County-level GB/T 2260 codes by province with the years they were in use (python-stdnum's data)."""
    import stdnum.cn

    text = (Path(stdnum.cn.__file__).parent / "loc.dat").read_text(encoding="utf-8")
    found: dict[str, list[tuple[str, int, int]]] = {}
    province = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        code, rest = line.strip().split(" ", 1)
        for m in re.finditer(r'(?:\[(\d*)-(\d*)\])?([^,"]+)', rest.split('county="', 1)[-1].rstrip('"')):
            if code.endswith("00") or "市辖区" in m.group(3):
                continue  # prefecture aggregates
            start, end = int(m.group(1) or 0), int(m.group(2) or 9999)
            found.setdefault(province, []).append((f"{province}{code}", start, end))
    return {p: (np.array([c for c, _, _ in rows]), np.array([a for _, a, _ in rows]), np.array([b for _, _, b in rows]))
            for p, rows in found.items()}


def current_counties(province: str) -> np.ndarray:
    codes, _, end = county_codes()[province]
    return np.unique(codes[(end == 9999) & (codes != CITY)])


def codes_in_use(province: np.ndarray, year: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each person, a county code of their province that was in use in their birth year (ID numbers)."""
    out = np.empty(len(province), dtype="U6")
    for p in np.unique(province):
        codes, start, end = county_codes()[p]
        rows = np.flatnonzero(province == p)
        todo = rows
        for _ in range(50):
            pick = rng.integers(0, len(codes), len(todo))
            ok = (start[pick] <= year[todo]) & (year[todo] <= end[pick]) & (codes[pick] != CITY)
            out[todo[ok]] = codes[pick[ok]]
            todo = todo[~ok]
            if not len(todo):
                break
        if len(todo):  # the province did not exist yet (Chongqing before 1997): the one it was part of
            out[todo] = codes_in_use(np.full(len(todo), PROVINCE_BEFORE.get(p, "65")), year[todo], rng)
    return out


PROVINCE_BEFORE = {"50": "51", "46": "44", "64": "62"}


def _days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _date_array(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("int32"), pa.int32()).cast(pa.date32())


def _opt_date(days: np.ndarray, present: np.ndarray) -> pa.Array:
    return pa.array(days.astype("int32"), pa.int32(), mask=~present).cast(pa.date32())


_CHECK_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHECK_CHARS = pa.array(list("10X98765432"))


def id_numbers(region: np.ndarray, birth_days: np.ndarray, male: np.ndarray) -> pa.Array:
    """Citizen ID numbers (GB 11643): region, birth date, sequence (odd for men), check digit.
    Strings are built with Arrow's kernels: numpy's string functions cost tens of seconds at 10 million."""
    n = len(region)
    # the sequence numbers people born on the same day in the same place: odd for men, even for women
    key = region.astype(np.int64) * 10**6 + birth_days.astype(np.int64) * 2 + male
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    first = np.r_[0, np.flatnonzero(sorted_key[1:] != sorted_key[:-1]) + 1]
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - np.repeat(first, np.diff(np.r_[first, n]))
    if n and rank.max() > 498:
        raise ValueError("more than 499 people of one sex born on one day in one place: ID sequence numbers run out")
    seq = pc.utf8_lpad(pc.cast(pa.array(rank * 2 + np.where(male, 1, 2)), pa.string()), 3, "0")
    ymd = pc.strftime(pc.cast(_date_array(birth_days), pa.timestamp("s")), format="%Y%m%d")
    body = pc.binary_join_element_wise(pa.array(region.astype("U6")), ymd, seq, "")
    if n == 0:
        return pa.array([], pa.string())
    # every body is 17 ASCII digits, so Arrow's character buffer is an n × 17 table of digits
    body = body.combine_chunks() if isinstance(body, pa.ChunkedArray) else body
    digits = np.frombuffer(body.buffers()[2], dtype=np.uint8, count=17 * n).reshape(n, 17) - ord("0")
    check = _CHECK_CHARS.take(pa.array((digits.astype(np.int64) @ _CHECK_WEIGHTS) % 11))
    return pc.binary_join_element_wise(body, check, "")


def _names(n: int, rng: np.random.Generator) -> pa.Array:
    surname = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    given = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
    two = rng.random(n) < 0.6
    given2 = np.where(two, np.array(GIVEN)[rng.integers(0, len(GIVEN), n)], "")
    names = np.char.add(np.char.add(surname, given), given2)
    translit = rng.random(n) < 0.12
    names = np.where(translit, np.array(TRANSLITERATED)[rng.integers(0, len(TRANSLITERATED), n)], names)
    return pa.array(names)


def _corrected_the_same_day(rng: np.random.Generator, rural_local: np.ndarray, birth: np.ndarray,
                            census: int) -> tuple[np.ndarray, np.ndarray]:
    """Rural locals whose hukou was registered into a community and, the same day, back into their
    village (a casework correction, 2019–2020): who, and the day. Drawn apart from the rest of the
    city, so that the other tables do not depend on them."""
    who = np.flatnonzero(rural_local & (rng.random(len(birth)) < CORRECTED_SAME_DAY))
    first = np.maximum(birth[who], _days(date(2019, 1, 1)))
    return who, first + (rng.random(len(who)) * (census - first)).astype(np.int64)


def _pick(rng: np.random.Generator, options: list[str], weights: np.ndarray, n: int) -> np.ndarray:
    return np.array(options)[rng.choice(len(options), size=n, p=weights / weights.sum())]


def generate(residents: int = CENSUS_RESIDENTS, seed: int = 2020, progress=None) -> dict[str, pa.Table]:
    """The whole register: fact tables (`hukou.registry.fact_tables`) plus identity, units and three rights."""
    step = progress or (lambda label: None)
    rng = np.random.default_rng(seed)
    n = residents
    census = _days(CENSUS_DAY)
    pid = np.arange(1, n + 1, dtype=np.int64)

    # who: hukou group, where they live, age and sex
    step("people")
    group = rng.choice(3, size=n, p=HUKOU_SHARES)
    urban_living = rng.random(n) < np.array(URBAN_LIVING)[group]
    age_years = np.where(rng.random(n) < 0.17, rng.integers(0, 15, n),
                         np.where(rng.random(n) < 0.88, rng.integers(15, 65, n), rng.integers(65, 95, n)))
    birth = census - age_years * 365 - rng.integers(0, 365, n)
    male = rng.random(n) < 0.51
    age = (census - birth) // 365

    units = make_units(seed)
    urban_units = [u for u in units if u.urban]
    rural_units = [u for u in units if not u.urban]
    street_weight = np.array([3.0 if u.urban_class == "111" else 1.0 for u in urban_units])
    home_u = _pick(rng, [u.code for u in urban_units], street_weight, n)
    home_r = _pick(rng, [u.code for u in rural_units], np.ones(len(rural_units)), n)
    home = np.where(urban_living, home_u, home_r)

    # hukou: locals registered at home (urban locals in a community, rural locals in a village);
    # migrants in an origin county. Some urban locals moved their hukou in from a village.
    step("hukou")
    provinces = list(ORIGIN_PROVINCES)
    prov = _pick(rng, provinces, np.array(list(ORIGIN_PROVINCES.values())), n)
    origin = np.empty(n, dtype="U6")
    for p in provinces:
        mask = prov == p
        current = current_counties(p)
        origin[mask] = current[rng.integers(0, len(current), mask.sum())]
    local_urban_place = np.where(urban_living, home, home_u)
    local_rural_place = np.where(urban_living, home_r, home)
    hukou_place = np.select([group == LOCAL_URBAN, group == LOCAL_RURAL], [local_urban_place, local_rural_place], origin)
    hukou_urban = (group == LOCAL_URBAN) | ((group == MIGRANT) & (rng.random(n) < 0.2))
    moved = (group == LOCAL_URBAN) & (rng.random(n) < 0.35) & (age >= 1)
    recent = moved & (rng.random(n) < MOVED_TO_URBAN_2019_2020 / 0.35)
    move_day = np.where(recent, rng.integers(_days(date(2019, 1, 1)), census, n),
                        birth + (np.maximum(age, 1) * 365 * rng.random(n)).astype(int))
    corrected, corrected_day = _corrected_the_same_day(np.random.default_rng([seed, 1]), group == LOCAL_RURAL, birth,
                                                       census)
    k = len(corrected)
    hukou_tbl = pa.table({
        "person_id": np.concatenate([pid, pid[moved], pid[corrected], pid[corrected]]),
        "since": _date_array(np.concatenate([birth, move_day[moved], corrected_day, corrected_day])),
        "seq": np.concatenate([np.ones(n, np.int32), np.full(moved.sum(), 2, np.int32), np.full(k, 2, np.int32),
                               np.full(k, 3, np.int32)]),
        "place": np.concatenate([np.where(moved, home_r, hukou_place), hukou_place[moved], home_u[corrected],
                                 hukou_place[corrected]]),
        "urban": np.concatenate([np.where(moved, False, hukou_urban), np.ones(moved.sum(), bool), np.ones(k, bool),
                                 np.zeros(k, bool)]),
    }, schema=SCHEMAS["hukou"])
    birth_year = (EPOCH + birth.astype("timedelta64[D]")).astype("datetime64[Y]").astype(int) + 1970
    # the ID's region is the code in use in the birth year: 昌吉县 (652321) before the city of 1983
    region = np.where(group == MIGRANT, codes_in_use(prov, birth_year, rng), np.where(birth_year >= 1983, CITY, "652321"))
    identity = pa.table({"person_id": pid, "id_number": id_numbers(region, birth, male),
                         "name": _names(n, rng), "sex": np.where(male, "M", "F")})

    # residence: locals since birth (or since 18 in town); migrants arrive 2000–2020, some came twice
    step("residence")
    arrive = np.where(group == MIGRANT, rng.integers(_days(date(2000, 1, 1)), census - 10, n),
                      np.where(urban_living & (group == LOCAL_RURAL), birth + 18 * 365 + rng.integers(0, 3650, n), birth))
    arrive = np.clip(np.maximum(arrive, birth), None, census)
    earlier = (group == MIGRANT) & (rng.random(n) < 0.15) & (arrive - birth > 30 * 365)
    e_start = arrive - rng.integers(2 * 365, 6 * 365, n)
    e_end = arrive - rng.integers(200, 700, n)
    earlier &= e_start > birth
    res_known = rng.random(n) < 0.97
    unit_class = {u.code: u.urban for u in units}
    home_urban = np.vectorize(unit_class.__getitem__, otypes=[bool])(home) if n else np.zeros(0, bool)
    r_mask = res_known
    e_mask = res_known & earlier
    urban_unknown = rng.random(n) < 0.02
    residence = pa.table({
        "person_id": np.concatenate([pid[r_mask], pid[e_mask]]),
        "start": _date_array(np.concatenate([arrive[r_mask], e_start[e_mask]])),
        "end": pa.concat_arrays([pa.nulls(r_mask.sum(), pa.date32()), _date_array(e_end[e_mask])]),
        "place": np.concatenate([home[r_mask], home[e_mask]]),
        "urban": pa.array(np.concatenate([home_urban[r_mask], home_urban[e_mask]]),
                          mask=np.concatenate([urban_unknown[r_mask], np.zeros(e_mask.sum(), bool)])),
    }, schema=SCHEMAS["residence"])

    # students at the city's colleges (ages 18–22, a share of them rural)
    step("education")
    student = (age >= 18) & (age <= 22) & (rng.random(n) < 0.12)
    level_draw = rng.random(n)
    adult = age >= 22
    level = np.select([level_draw < 0.02, level_draw < 0.07, level_draw < 0.20, level_draw < 0.32],
                      ["doctor", "master", "bachelor", "associate"], "vocational")
    has_edu = (adult & (level_draw < 0.47)) | student
    level = np.where(student, np.where(rng.random(n) < 0.5, "bachelor", "associate"), level)
    years = np.select([level == "doctor", level == "master", level == "bachelor", level == "associate"], [9, 7, 4, 3], 3)
    admitted = np.where(student, census - rng.integers(60, 4 * 365, n), birth + (18 + rng.integers(0, 2, n)) * 365 + 240)
    graduated = admitted + years * 365 - 60
    grad_present = ~student & (graduated <= census)
    abroad = has_edu & ~student & np.isin(level, ["master", "doctor", "bachelor"]) & (rng.random(n) < 0.03)
    certified_draw = rng.random(n)
    edu_known = rng.random(n) < 0.9
    e_rows = has_edu & edu_known
    education = pa.table({
        "person_id": pid[e_rows], "level": level[e_rows], "admitted": _date_array(admitted[e_rows]),
        "graduated": _opt_date(graduated[e_rows], grad_present[e_rows]),
        "institution_in_city": student[e_rows], "abroad": abroad[e_rows],
        "certified": pa.array(np.where(abroad, certified_draw < 0.85, False)[e_rows],
                              mask=(~abroad | ((certified_draw >= 0.85) & (certified_draw < 0.95)))[e_rows]),
    }, schema=SCHEMAS["education"])

    # work, social insurance, qualifications, military
    step("work")
    working_age = (age >= 18) & (age < 60)
    works = working_age & ~student & (rng.random(n) < 0.78)
    job_start = np.maximum(birth + 16 * 365, np.where(group == MIGRANT, arrive, birth + (18 + rng.integers(0, 8, n)) * 365))
    job_start = np.minimum(job_start, census - 1)
    ended = rng.random(n) < 0.12
    job_end = np.where(ended, np.minimum(census - 1, job_start + rng.integers(100, 3000, n)), 0)
    emp_known = rng.random(n) < 0.9
    j = works & emp_known
    employment = pa.table({"person_id": pid[j], "start": _date_array(job_start[j]),
                           "end": _opt_date(job_end[j], (ended & (job_end > job_start))[j])}, schema=SCHEMAS["employment"])
    insured = works & (rng.random(n) < 0.7)
    start_month = ((EPOCH + job_start.astype("timedelta64[D]")).astype("datetime64[M]").astype(int))
    si_known = rng.random(n) < 0.85
    s = insured & si_known
    social_insurance = pa.table({"person_id": pid[s], "start_month": (start_month[s] + 1970 * 12).astype("int32"),
                                 "end_month": pa.nulls(s.sum(), pa.int32())}, schema=SCHEMAS["social_insurance"])
    skilled = works & (rng.random(n) < 0.12)
    qual_known = rng.random(n) < 0.85
    q = skilled & qual_known
    obtained = np.minimum(census - 1, job_start + rng.integers(365, 3650, n))
    qualifications = pa.table({"person_id": pid[q],
                               "kind": np.where(rng.random(n) < 0.7, "skill_certificate", "vocational_qualification")[q],
                               "obtained": _date_array(obtained[q])}, schema=SCHEMAS["qualifications"])
    veteran = male & (age >= 22) & (age < 55) & (rng.random(n) < 0.04)
    enlisted = birth + 18 * 365 + rng.integers(0, 3 * 365, n)
    military = pa.table({"person_id": pid[veteran], "enlisted": _date_array(enlisted[veteran]),
                         "discharged": _date_array((enlisted + rng.integers(2, 6, n) * 365)[veteran])},
                        schema=SCHEMAS["military"])

    # housing
    step("housing")
    kinds = np.array(["owned", "rented", "employer", "school", "none"])
    p_local = np.array([0.82, 0.08, 0.05, 0.0, 0.05])
    p_migrant = np.array([0.22, 0.55, 0.14, 0.0, 0.09])
    draw = rng.random(n)
    kind = np.where(group == MIGRANT, kinds[np.searchsorted(np.cumsum(p_migrant), draw)],
                    kinds[np.searchsorted(np.cumsum(p_local), draw)])
    kind = np.where(student, "school", kind)
    kind = np.where(age < 18, "owned", kind)  # children live in the family home
    reg_draw = rng.random(n)
    registered = pa.array(reg_draw < 0.6, mask=(kind != "rented") | (reg_draw >= 0.85))
    housing_known = rng.random(n) < 0.95
    housing = pa.table({"person_id": pid[housing_known], "kind": kind[housing_known],
                        "registered": registered.filter(pa.array(housing_known))}, schema=SCHEMAS["housing"])

    # families of adults with a rural hukou (the ones who may bring family when they settle)
    step("family")
    has_family = (group != LOCAL_URBAN) & (age >= 22) & (rng.random(n) < 0.7)
    married = has_family & (rng.random(n) < 0.85)
    n_children = np.where(has_family & (age >= 24), rng.integers(0, 3, n), 0)
    moving_family = rng.random(n) < 0.55
    fam_pid, fam_rel, fam_birth, fam_move = [pid[married]], [np.full(married.sum(), "spouse")], \
        [np.zeros(married.sum(), int)], [moving_family[married] | (rng.random(married.sum()) < 0.2)]
    for k in (1, 2):
        c = n_children >= k
        born = birth + (24 + rng.integers(0, 14, n)) * 365 + k * 700
        c &= born < census
        fam_pid.append(pid[c])
        fam_rel.append(np.full(c.sum(), "child"))
        fam_birth.append(born[c])
        fam_move.append(moving_family[c] | (rng.random(c.sum()) < 0.1))
    parents = has_family & (age < 50) & (rng.random(n) < 0.3)
    fam_pid.append(pid[parents])
    fam_rel.append(np.full(parents.sum(), "parent"))
    fam_birth.append(np.zeros(parents.sum(), int))
    fam_move.append(rng.random(parents.sum()) < 0.3)
    rel = np.concatenate(fam_rel)
    family = pa.table({"person_id": np.concatenate(fam_pid), "relation": rel,
                       "birth_date": _opt_date(np.concatenate(fam_birth), rel == "child"),
                       "moving": np.concatenate(fam_move)}, schema=SCHEMAS["family"])

    # households: the city's hukou holders live in family households of about three, each registered
    # at one place; the first member is the head
    step("households")
    local = np.flatnonzero(group != MIGRANT)
    local = local[np.argsort(hukou_place[local], kind="stable")]
    place_sorted = hukou_place[local]
    starts = np.r_[True, place_sorted[1:] != place_sorted[:-1]] | (rng.random(len(local)) < 1 / 2.8)
    household_of = np.cumsum(starts)  # 1, 2, …
    heads = local[starts]
    households = pa.table({"id": np.arange(1, len(heads) + 1, dtype=np.int64), "kind": np.full(len(heads), "family"),
                           "place": hukou_place[heads], "head_person_id": pid[heads]})
    current_since = np.where(moved, move_day, birth)
    household_members = pa.table({
        "id": np.arange(1, len(local) + 1, dtype=np.int64), "household_id": household_of.astype(np.int64),
        "person_id": pid[local], "relation": np.where(starts, "head", "member"),
        "since": _date_array(current_since[local])})

    # three rural rights: held by rural hukou holders of the city's villages (never a condition, §十)
    step("three rights")
    rural_local = (group == LOCAL_RURAL) & (age >= 18)
    three_rights = pa.table({"person_id": pid[rural_local],
                             "contracted_land": rng.random(rural_local.sum()) < 0.8,
                             "homestead": rng.random(rural_local.sum()) < 0.9,
                             "collective_income": rng.random(rural_local.sum()) < 0.95})

    people = pa.table({"person_id": pid, "birth_date": _date_array(birth), "residence_known": res_known,
                       "housing_known": housing_known, "employment_known": emp_known, "social_insurance_known": si_known,
                       "education_known": edu_known, "qualifications_known": qual_known}, schema=SCHEMAS["people"])
    units_tbl = pa.table({"code": [u.code for u in units], "township": [u.township for u in units],
                          "urban_class": [u.urban_class for u in units], "name": [u.name for u in units]})
    return {"people": people, "hukou": hukou_tbl, "residence": residence, "housing": housing,
            "employment": employment, "social_insurance": social_insurance, "education": education,
            "qualifications": qualifications, "military": military, "family": family,
            "identity": identity, "units": units_tbl, "three_rights": three_rights,
            "households": households, "household_members": household_members}


def summary(tables: dict[str, pa.Table], d: date = CENSUS_DAY) -> dict[str, float]:
    """Residents, urban share, and hukou urbanization at d, for calibration checks."""
    people = tables["people"].num_rows
    res = tables["residence"]
    current = pc.and_(pc.less_equal(res["start"], pa.scalar(d)), pc.is_null(res["end"]))
    urban = pc.sum(pc.and_(current, pc.fill_null(res["urban"], False))).as_py() or 0
    living = pc.sum(current).as_py() or 0
    h = tables["hukou"]
    at_d = h.filter(pc.less_equal(h["since"], pa.scalar(d))).sort_by([("person_id", "ascending"), ("since", "ascending"),
                                                                       ("seq", "ascending")])
    latest = at_d.group_by("person_id", use_threads=False).aggregate([("place", "last"), ("urban", "last")])
    local = pc.starts_with(latest["place_last"], CITY)
    local_n = pc.sum(local).as_py()
    local_urban = pc.sum(pc.and_(local, latest["urban_last"])).as_py()
    return {"residents": people, "urban_share": urban / living if living else 0.0,
            "hukou_urbanization": local_urban / local_n if local_n else 0.0}
