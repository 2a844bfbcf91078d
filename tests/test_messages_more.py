"""More messages in the reader's language: a bad row of a register import, a bad policy file, the
API's 401 and 403 under `Accept-Language: zh`, and the command line's errors under a Chinese locale.
Machine-readable parts (`field`, the file and line of a row, JSON keys) stay the same in every language."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hukou.api.app import create_app
from hukou.policy.errors import InputError

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def hukou(*args, lang="zh_CN.UTF-8", stdin=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    return subprocess.run([sys.executable, "-m", "hukou", *args], capture_output=True, text=True, timeout=300,
                          env={**env, "LANG": lang}, input=stdin)


def _han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(scope="module")
def register_folder(tmp_path_factory):
    from hukou.registry.synth import generate
    from hukou.store.database import connect, load_tables, migrate

    tmp = tmp_path_factory.mktemp("register")
    url = f"sqlite:///{tmp / 'source.sqlite'}"
    engine = connect(url)
    migrate(engine)
    load_tables(engine, generate(200, seed=5))
    engine.dispose()
    folder = tmp / "export"
    assert hukou("register", "export", "--database", url, "--out", str(folder), "--purpose", "a test",
                 lang="C.UTF-8").returncode == 0
    return folder


def _edit(path: Path, row: int, column: str, value: str) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[row][column] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _import(register_folder: Path, tmp_path: Path, table: str, column: str, value: str, lang: str):
    import shutil

    folder = tmp_path / f"bad-{column}"
    if not folder.exists():
        shutil.copytree(register_folder, folder)
        _edit(folder / f"{table}.csv", 1, column, value)
    return hukou("register", "import", str(folder), "--database", f"sqlite:///{tmp_path / 'target.sqlite'}", lang=lang)


@pytest.mark.parametrize("table, column, value, zh, en", [
    ("people", "birth_date", "2019-02-30", "people.csv:3: birth_date: 日历上没有“2019-02-30”这一天，请核对年、月、日。",
     "people.csv:3: birth_date: expected a real calendar date (got '2019-02-30')"),  # a cell that does not parse
    ("hukou", "place", "12", "hukou.csv:3: place: “12”不是有效的行政区划代码，请从列表中选择地点。",
     "hukou.csv:3: place: expected a place code of 6, 9 or 12 digits (got '12')"),  # a row rule
])
def test_a_bad_register_row_is_said_in_chinese_with_its_file_line_and_field(register_folder, tmp_path, table, column,
                                                                           value, zh, en):
    chinese = _import(register_folder, tmp_path, table, column, value, "zh_CN.UTF-8")
    english = _import(register_folder, tmp_path, table, column, value, "C.UTF-8")
    assert chinese.returncode == english.returncode == 2
    assert chinese.stderr.strip().splitlines() == [zh, "错误：发现 1 处问题，没有导入任何数据。"]
    assert english.stderr.strip().splitlines() == [en, "error: 1 problem(s); nothing was imported"]


def _policy_file(tmp_path: Path, old: str, new: str) -> Path:
    text = resources.files("hukou.policies").joinpath("changji-2018.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "city.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, field, zh", [
    ('code: "652301"', 'code: "12"', "city.code", "应为 6 位 GB/T 2260 行政区划代码（填的是 '12'）。"),
    ("extends: national", "extends: nowhere", "extends", "政策文件旁边没有、系统也没有自带名为 'nowhere' 的层级"),
    ("\nparameters:\n", "\nparameters:\n  no_such.parameter: {values: {2018-12-05: 1}}\n", "parameters.no_such.parameter",
     "没有这个参数；已有的参数："),
])
def test_a_bad_policy_file_is_said_in_chinese_naming_the_field(tmp_path, old, new, field, zh):
    from hukou.policies import load_path

    path = _policy_file(tmp_path, old, new)
    with pytest.raises(InputError) as raised:
        load_path(path)
    assert raised.value.path == field
    line = raised.value.line("zh")
    assert line.startswith(f"{path}: {field}: ") and zh in line
    assert "expected" not in line and "unknown" not in line and "known:" not in line


def test_the_policy_linter_says_a_bad_file_in_chinese(tmp_path):
    path = _policy_file(tmp_path, 'code: "652301"', 'code: "12"')
    chinese = hukou("policy", "lint", str(path))
    assert chinese.returncode == 2
    assert chinese.stderr.strip() == f"错误：{path}: city.code: 应为 6 位 GB/T 2260 行政区划代码（填的是 '12'）。"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    from hukou.store.database import connect, migrate
    from hukou.store.users import create_user

    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.sqlite'}"
    engine = connect(url)
    migrate(engine)
    create_user(engine, "ann", "ann-password", "applicant")
    engine.dispose()
    return TestClient(create_app(database=url), raise_server_exceptions=False)


@pytest.mark.parametrize("headers, zh", [({}, "请先登录"), ({"Authorization": "Bearer not-a-token"}, "登录凭证无效或已过期")])
def test_a_401_speaks_chinese_to_a_chinese_reader(api, headers, zh):
    chinese = api.get("/api/v1/applications", headers={**headers, **ZH})
    english = api.get("/api/v1/applications", headers=headers)
    assert chinese.status_code == english.status_code == 401
    assert chinese.headers["content-type"].startswith("application/problem+json")
    assert chinese.json()["title"] == "尚未登录" and zh in chinese.json()["detail"]
    assert english.json()["title"] == "Not signed in" and "sign in" in english.json()["detail"]
    assert set(chinese.json()) == set(english.json())  # the same keys in every language


def test_a_wrong_password_is_said_in_chinese(api):
    r = api.post("/api/v1/token", data={"username": "ann", "password": "not-her-password"}, headers=ZH)
    assert r.status_code == 401 and r.json()["detail"] == "用户名或密码不对。"


def test_a_403_speaks_chinese_and_keeps_its_field(api):
    token = api.post("/api/v1/token", data={"username": "ann", "password": "ann-password"}).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    chinese = api.get("/api/v1/reports/overrides", headers={**auth, **ZH})
    english = api.get("/api/v1/reports/overrides", headers=auth)
    assert chinese.status_code == english.status_code == 403
    assert chinese.json()["field"] == english.json()["field"] == "role"
    assert _han(chinese.json()["title"]) and _han(chinese.json()["detail"])
    assert not _han(english.json()["detail"])


def test_a_bad_shipped_policy_name_is_a_chinese_problem(api):
    r = api.post("/api/v1/eligibility?policy=elsewhere", json={}, headers=ZH)
    assert r.status_code == 422 and r.json()["field"] == "policy"
    assert r.json()["detail"].startswith("没有这项政策")


@pytest.mark.parametrize("args, stdin, zh", [
    (("check", "--lang", "fr", "x.yaml"), None, "错误：--lang：只能是 zh 或 en（填的是 'fr'）。"),
    (("register", "add-user", "u1", "--role", "applicant", "--township", "652301001"), "password-1\n",
     "错误：township: 该角色（applicant）没有管辖范围。"),
    (("register", "add-user", "u2", "--role", "auditor"), "short\n", "错误：password: 至少 8 个字符。"),
    (("register", "import", "/nonexistent-folder"), None, "错误：FOLDER: 找不到文件夹 /nonexistent-folder。"),
])
def test_the_command_line_says_its_errors_in_chinese_under_a_chinese_locale(tmp_path, args, stdin, zh):
    database = ("--database", f"sqlite:///{tmp_path / 'cli.sqlite'}") if args[0] == "register" else ()
    chinese = hukou(*args, *database, stdin=stdin)
    english = hukou(*args, *database, stdin=stdin, lang="C.UTF-8")
    assert chinese.returncode == english.returncode == 2
    assert chinese.stderr.strip() == zh
    assert english.stderr.startswith("error: ") and not _han(english.stderr)


def test_the_command_line_says_what_it_did_in_chinese(tmp_path):
    database = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    r = hukou("register", "add-user", "p9", "--role", "police_station", "--township", "652301001",
              "--database", database, stdin="password-9\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "已保存账号 p9（police_station，652301001）。"
    r = hukou("audit", "verify", "--database", database)
    assert r.returncode == 0 and "审计日志完整" in r.stdout
