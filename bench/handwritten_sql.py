"""Calibration: a deliberately simplified hand-written SQL over the same Parquet register (seven
tables, no windows, a fraction of the rules), to compare the register engine with plain SQL on the
same machine and day.  python bench/handwritten_sql.py FOLDER
"""

import time, duckdb, sys
R=sys.argv[1]
con=duckdb.connect(); con.execute("SET enable_progress_bar=false")
D="DATE '2020-11-01'"; dd=18567
sql=f"""
WITH
h AS (SELECT person_id, max((epoch(since)/86400 + 200000)::BIGINT*4 + CASE WHEN starts_with(place,'652301') THEN 2 ELSE 0 END + CASE WHEN urban THEN 1 ELSE 0 END) k
      FROM '{R}/hukou.parquet' WHERE since <= {D} GROUP BY 1),
e AS (SELECT person_id, bool_or(NOT abroad AND level IN ('associate','bachelor','master','doctor') AND graduated <= {D}) g,
        bool_or(graduated IS NULL OR graduated > {D}) st FROM '{R}/education.parquet' WHERE admitted <= {D} GROUP BY 1),
r AS (SELECT person_id, bool_or(coalesce("end",{D}) >= {D}) cov, bool_or(urban AND coalesce("end",{D}) >= {D}) urb, min(start) s0
      FROM '{R}/residence.parquet' WHERE start <= {D} GROUP BY 1),
j AS (SELECT person_id, bool_or(coalesce("end",{D}) >= {D}) emp FROM '{R}/employment.parquet' WHERE start <= {D} GROUP BY 1),
hs AS (SELECT person_id, kind, registered FROM '{R}/housing.parquet'),
f AS (SELECT person_id, sum(CASE WHEN moving THEN 1 ELSE 0 END) fo FROM '{R}/family.parquet' GROUP BY 1)
SELECT p.person_id,
  CASE WHEN (h.k % 4) = 3 THEN 'ineligible' WHEN coalesce(e.g,false) THEN 'eligible'
       WHEN hs.kind IN ('owned','employer','school') AND coalesce(r.cov,false) AND coalesce(r.urb,false) THEN 'eligible' ELSE 'ineligible' END AS settlement,
  CASE WHEN (h.k/2) % 2 = 1 THEN 'ineligible' WHEN r.s0 <= DATE '2020-05-01' AND (coalesce(j.emp,false) OR coalesce(e.st,false)) THEN 'eligible' ELSE 'ineligible' END AS permit,
  coalesce(f.fo,0) AS followers
FROM '{R}/people.parquet' p JOIN h USING (person_id) LEFT JOIN e USING (person_id) LEFT JOIN r USING (person_id)
LEFT JOIN j USING (person_id) LEFT JOIN hs USING (person_id) LEFT JOIN f USING (person_id)
WHERE p.birth_date <= {D}
"""
t0 = time.perf_counter()
t = con.execute(sql).to_arrow_table()
print(f"hand-written SQL (simplified): {t.num_rows:,} rows in {time.perf_counter() - t0:.2f} s")
