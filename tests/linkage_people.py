"""A settled family and an issued permit for the linkage tests: made through the casework services
over a small register (test_casework.World), with the department accounts that receive their tasks."""

from __future__ import annotations

from casework_people import ZHAO, a1, id_number, p1, wang, zhao
from hukou.cases import case as C
from hukou.cases.viewer import Viewer
from test_casework import World, bound

PUPIL = id_number("65230120100601005")  # born 2010-06-01: 9 in March 2020, school age
TODDLER = id_number("65230120170601006")  # born 2017-06-01: 2 in March 2020
SPOUSE = {"relation": "spouse", "id_number": ZHAO, "name": "赵六"}


def department(code: str, username: str | None = None) -> Viewer:
    return Viewer(username or code, "department", department=code)


def settle(world: World, children=((PUPIL, "王小明"),)):
    """wang settles with his wife (who consents) and the children listed: the registered case."""
    me, her = bound(world, wang), bound(world, zhao)
    followers = [SPOUSE] + [{"relation": "child", "id_number": n, "name": name} for n, name in children]
    case = world.submit(me, followers=followers)
    case = world.act(her, case, C.CONSENT_RECORDED)
    case = world.to_approved(case, approver=a1)
    return world.act(p1, case, C.REGISTERED, place=world.places(urban=True)[0])


def issue_permit(world: World):
    """A person of the register gets a residence permit: the issued case."""
    _, number = world.register_person("residence_permit")
    holder = bound(world, Viewer("holder", "applicant", id_number=number))
    permit = world.to_approved(world.submit(holder, kind="residence_permit", facts=None, consent=False, key="permit"))
    return world.act(p1, permit, C.ISSUED)
