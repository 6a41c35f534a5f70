"""The README's "Try it" look-ups find who their comments say: the seeded day they rely on holds them."""

import datetime as dt
import re

from devhost.tenant.day import Day
from handlers.identity import name_similarity
from settings import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_seeded_simulate_of_the_readme_captures_the_citizen_its_look_up_searches_for():
    simulate = re.search(r"loket simulate --contacts (\d+) --seed (\d+) --image-letters 0", README)
    lookup = re.search(r'loket lookup --name "([^"]+)"', README)
    assert simulate and lookup
    contacts, seed = int(simulate.group(1)), int(simulate.group(2))
    day = Day(seed, [], 20.0, image_letters=0, now=lambda: dt.datetime(2026, 11, 28, 10, tzinfo=dt.UTC))
    plans = [day.plan_contact() for _ in range(contacts)]
    captured = [p.expect for p in plans if p.expect.captured and (p.expect.citizen or {}).get("email")]
    his = sorted(e.channel for e in captured if e.citizen["email"].startswith("joris.vos"))
    assert his == ["mail", "mail", "post"]  # "two mails and a letter"
    assert name_similarity(lookup.group(1), "Joris Vos") == 1.0  # surname first finds him
    named_vos = {e.citizen["email"] for e in captured if ".vos" in e.citizen["email"]}
    assert len(named_vos) == 3 and "--name vos" in README  # "three people named Vos"
