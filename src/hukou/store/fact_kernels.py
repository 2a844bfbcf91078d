"""Compiled loops that reduce each register table to per-person facts in one pass over its rows.

The register's tables are sorted by person (and by each table's record order, `fact_tables.SORTED_BY`),
so a person's records are one run of rows: every loop below walks the rows once and accumulates each
person's facts as it goes. `sorted_facts` prepares the columns (Arrow's buffers as they are: values,
and validity bitmaps of one bit per row) and names the results.

Conventions shared by every loop:
- a row's person is `index[i] - base`, skipped unless it lies in 0…n-1 (see `sorted_facts._Tables`);
- a column is `(data, valid, off)`: Arrow's value buffer (a bitmap for booleans), its validity bitmap
  (all ones when nothing is NULL) and the array's offset into both: row i is bit `off + i`;
- a string column arrives as small integer codes per row, -1 where NULL (flags as bits: see callers);
- a per-person boolean fact is two arrays, `t` (TRUE) and `v` (known: some row was TRUE or FALSE),
  which is SQL's `bool_or` over the person's rows, NULL when they have none;
- the loops over periods return a status first: 0, or NOT_SORTED when a person's periods are out of
  order, after which the caller sorts them and runs the loop again.
Helpers take scalars only: a call that passes an array costs reference counting on every row.
"""

from __future__ import annotations

import numpy as np
from numba import njit

NO_DAY = np.iinfo(np.int32).min  # a NULL date, as days: before every real one
NOT_SORTED = 1


def readonly(*args) -> list:
    """Arrays as read-only views, other arguments as they are: Numba compiles a loop once per
    combination of writable and read-only arrays, and Arrow's buffers are read-only."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray) and a.flags.writeable:
            a = a.view()
            a.flags.writeable = False
        out.append(a)
    return out


@njit
def _bit(byte, j):
    """Bit j (mod 8) of a byte: `_bit(bits[j >> 3], j)` reads row j of a bitmap."""
    return ((byte >> (j & 7)) & 1) != 0


@njit
def _on_or_before(valid_byte, j, day, dd):
    """Row j of a date column is a day on or before dd (NULL is not): `_on_or_before(valid[j >> 3], j,
    data[j], dd)`."""
    return _bit(valid_byte, j) and day <= dd


@njit
def _covered_part(s, e, prev_max):
    """columnar._covered_part: the days of a period no earlier period of the person covered."""
    start = s if prev_max == NO_DAY else max(s, prev_max + 1)
    return max(e - start + 1, 0)


@njit(nogil=True, cache=True)
def hukou_latest(n, index, base, since, since_valid, since_off, seq, seq_valid, seq_off, local, urban, urban_valid,
                 urban_off, dd, seq_span):
    """The registration in force at dd per person, packed as ((since + 200000) × seq_span + seq) × 4 +
    in-the-city × 2 + urban (its maximum is the greatest (since, seq): columnar.facts_table), or -1
    where none. A row without a seq is skipped, as SQL's maximum skips NULL."""
    latest = np.full(n, -1, np.int64)
    for i in range(len(index)):
        p = index[i] - base
        if p < 0 or p >= n:
            continue
        j = since_off + i
        if not _on_or_before(since_valid[j >> 3], j, since[j], dd):
            continue
        s = seq_off + i
        if not _bit(seq_valid[s >> 3], s):
            continue
        packed = ((np.int64(since[j]) + 200_000) * seq_span + seq[s]) * 4 + local[i] * 2
        u = urban_off + i
        if _bit(urban[u >> 3], u) and _bit(urban_valid[u >> 3], u):
            packed += 1
        latest[p] = max(latest[p], packed)
    return latest


# education: the per-person flags, in this order (sorted_facts names them)
EDUCATION = ("e_graduate", "e_vocational", "e_abroad_certified", "e_abroad_uncertain", "e_enrolled_in_city",
             "e_studying", "e_admitted_higher")
LEVEL_HIGHER, LEVEL_VOCATIONAL = 1, 2  # bits of the level code


@njit(nogil=True, cache=True)
def education(n, index, base, level, admitted, adm_valid, adm_off, graduated, grad_valid, grad_off,
              in_city, in_city_valid, in_city_off, abroad, abroad_valid, abroad_off,
              certified, cert_valid, cert_off, dd):
    """The education flags (`EDUCATION`) over the records admitted by dd, as columnar.facts_table."""
    t = np.zeros((len(EDUCATION), n), np.bool_)
    v = np.zeros((len(EDUCATION), n), np.bool_)
    for i in range(len(index)):
        p = index[i] - base
        if p < 0 or p >= n:
            continue
        j = adm_off + i
        if not _on_or_before(adm_valid[j >> 3], j, admitted[j], dd):
            continue
        code = level[i]
        higher_t = code >= 0 and (code & LEVEL_HIGHER) != 0
        higher_f = code >= 0 and (code & LEVEL_HIGHER) == 0
        vocational_t = code >= 0 and (code & LEVEL_VOCATIONAL) != 0
        j = grad_off + i
        grad = _on_or_before(grad_valid[j >> 3], j, graduated[j], dd)
        j = abroad_off + i
        abroad_known = _bit(abroad_valid[j >> 3], j)
        abroad_t = abroad_known and _bit(abroad[j >> 3], j)
        abroad_f = abroad_known and not _bit(abroad[j >> 3], j)
        j = cert_off + i
        certified_null = not _bit(cert_valid[j >> 3], j)
        certified_t = not certified_null and _bit(certified[j >> 3], j)
        j = in_city_off + i
        in_city_t = _bit(in_city_valid[j >> 3], j) and _bit(in_city[j >> 3], j)
        t[0, p] |= abroad_f and higher_t and grad
        t[1, p] |= abroad_f and vocational_t and grad
        t[2, p] |= abroad_t and grad and certified_t
        t[3, p] |= abroad_t and grad and certified_null
        t[4, p] |= in_city_t and higher_t and not grad
        t[5, p] |= not grad
        for f in range(6):
            v[f, p] = True
        t[6, p] |= higher_t
        v[6, p] |= higher_t or higher_f
    return t, v


@njit(nogil=True, cache=True)
def any_day_on_or_before(n, index, base, day, day_valid, day_off, dd):
    """Per person: some record's day is on or before dd (FALSE with records but none such; NULL with
    no records). Qualifications obtained, military service discharged."""
    t = np.zeros(n, np.bool_)
    v = np.zeros(n, np.bool_)
    for i in range(len(index)):
        p = index[i] - base
        if p < 0 or p >= n:
            continue
        j = day_off + i
        v[p] = True
        t[p] |= _on_or_before(day_valid[j >> 3], j, day[j], dd)
    return t, v


# periods: the per-person flags, in this order
PERIOD_FLAGS = ("reaches", "urban_true", "urban_null")


@njit(nogil=True, cache=True)
def periods(n, index, base, start, start_valid, start_off, end, end_valid, end_off, township,
            urban, urban_valid, urban_off, dd):
    """Periods started by dd, open or later ends cut at dd (columnar._clip_days), in (start, end) order
    per person: whether one reaches dd and the days of their union (overlaps counted once): employment
    in days, social insurance in months (dd then a month). Residence periods also have a place
    (`township` and `urban`; empty for the others): the township lived in at dd, whether that place is
    urban (or unknown), the days of the union of the urban periods, the last day and the start of the
    last unbroken run (columnar.facts_table). Returns status, present, flags (PERIOD_FLAGS), days,
    township (-1: none), urban days, last end, run start (NO_DAY: none)."""
    present = np.zeros(n, np.bool_)
    flags = np.zeros((len(PERIOD_FLAGS), n), np.bool_)
    days = np.zeros(n, np.int64)
    town = np.full(n, -1, np.int64)
    urban_days = np.zeros(n, np.int64)
    last_end = np.full(n, NO_DAY, np.int64)
    run_start = np.full(n, NO_DAY, np.int64)
    placed = len(township) > 0
    prev, prev_urban, last_s, last_e = NO_DAY, NO_DAY, 0, 0
    for i in range(len(index)):
        p = index[i] - base
        if p < 0 or p >= n:
            continue
        j = start_off + i
        if not _on_or_before(start_valid[j >> 3], j, start[j], dd):
            continue
        s = np.int64(start[j])
        j = end_off + i
        e = min(np.int64(end[j]), dd) if _bit(end_valid[j >> 3], j) else np.int64(dd)
        if not present[p]:  # the person's first period
            prev = prev_urban = NO_DAY
        elif s < last_s or (s == last_s and e < last_e):
            return NOT_SORTED, present, flags, days, town, urban_days, last_end, run_start
        last_s, last_e = s, e
        present[p] = True
        days[p] += _covered_part(s, e, prev)
        if e == dd:
            flags[0, p] = True
        if placed:
            j = urban_off + i
            urban_known = _bit(urban_valid[j >> 3], j)
            urban_t = urban_known and _bit(urban[j >> 3], j)
            if e == dd:
                flags[1, p] |= urban_t
                flags[2, p] |= not urban_known
                if township[i] >= 0 and (town[p] < 0 or township[i] < town[p]):
                    town[p] = township[i]
            if urban_t:
                urban_days[p] += _covered_part(s, e, prev_urban)
                prev_urban = max(prev_urban, e)
            if prev == NO_DAY or s > prev + 1:
                run_start[p] = max(run_start[p], s)
            last_end[p] = max(last_end[p], e)
        prev = max(prev, e)
    return 0, present, flags, days, town, urban_days, last_end, run_start


HOUSING_STABLE, HOUSING_RENTED = 1, 2  # bits of the housing kind code
HOUSING = ("h_stable", "h_rented", "h_registered")


@njit(nogil=True, cache=True)
def housing(n, index, base, kind, rank, registered, reg_valid, reg_off):
    """The housing flags (`HOUSING`) per person, and the largest rank of its kind (-1: none; `rank` is
    empty when not asked for)."""
    t = np.zeros((len(HOUSING), n), np.bool_)
    v = np.zeros((len(HOUSING), n), np.bool_)
    best = np.full(n, -1, np.int64)
    ranked = len(rank) > 0
    for i in range(len(index)):
        p = index[i] - base
        if p < 0 or p >= n:
            continue
        code = kind[i]
        if code >= 0:
            t[0, p] |= (code & HOUSING_STABLE) != 0
            t[1, p] |= (code & HOUSING_RENTED) != 0
            v[0, p] = v[1, p] = True
        j = reg_off + i
        if _bit(reg_valid[j >> 3], j):
            t[2, p] |= _bit(registered[j >> 3], j)
            v[2, p] = True
        if ranked:
            best[p] = max(best[p], rank[i])
    return t, v, best


RELATION_CHILD, RELATION_SPOUSE = 1, 2  # bits of the relation code
FAMILY = ("f_spouse", "f_spouse_moving", "f_someone_moving", "f_minor_staying")


@njit(nogil=True, cache=True)
def family(n, index, base, relation, birth, birth_valid, birth_off, moving, moving_valid, moving_off, dd, minor_after):
    """The family flags (`FAMILY`) per person and the number of followers (columnar.facts_table; a
    minor is a child born after `minor_after`)."""
    t = np.zeros((len(FAMILY), n), np.bool_)
    v = np.zeros((len(FAMILY), n), np.bool_)
    followers = np.zeros(n, np.int64)
    present = np.zeros(n, np.bool_)
    for i in range(len(index)):
        p = index[i] - base
        if p < 0 or p >= n:
            continue
        present[p] = True
        code = relation[i]
        known = code >= 0
        child = known and (code & RELATION_CHILD) != 0
        spouse_t = known and (code & RELATION_SPOUSE) != 0
        spouse_f = known and (code & RELATION_SPOUSE) == 0
        j = birth_off + i
        born = _on_or_before(birth_valid[j >> 3], j, birth[j], dd)
        child_t = child and born
        minor_t = child_t and birth[j] > minor_after
        not_child_t = known and not child
        j = moving_off + i
        moving_known = _bit(moving_valid[j >> 3], j)
        moving_t = moving_known and _bit(moving[j >> 3], j)
        moving_f = moving_known and not _bit(moving[j >> 3], j)
        # spouse; spouse AND moving; (not a child OR a child born) AND moving; minor AND NOT moving
        t[0, p] |= spouse_t
        v[0, p] |= spouse_t or spouse_f
        t[1, p] |= spouse_t and moving_t
        v[1, p] |= (spouse_t and moving_t) or spouse_f or moving_f
        someone_t = not_child_t or child_t
        someone_f = child and not child_t
        t[2, p] |= someone_t and moving_t
        v[2, p] |= (someone_t and moving_t) or someone_f or moving_f
        t[3, p] |= minor_t and moving_f
        v[3, p] |= (minor_t and moving_f) or not minor_t or moving_t
        if (not_child_t or minor_t) and moving_t:
            followers[p] += 1
    return t, v, followers, present


@njit(nogil=True, cache=True)
def any_row(n, index, base, row_t, row_f):
    """SQL `bool_or` per person of a per-row value given as TRUE and FALSE masks (neither: NULL)."""
    t = np.zeros(n, np.bool_)
    v = np.zeros(n, np.bool_)
    for i in range(len(index)):
        p = index[i] - base
        if p < 0 or p >= n:
            continue
        t[p] |= row_t[i]
        v[p] |= row_t[i] or row_f[i]
    return t, v
