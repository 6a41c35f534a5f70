"""Every pattern Loket runs on citizen text, on 1 MB and on 10 MB of one token: time grows linearly.

Why it matters (issue 15): one 59 KB PDF whose text layer was a 60-million-character word froze the
local host, because the e-mail pattern was quadratic on long tokens. Linear means 10× the input costs
about 10× the time; quadratic would be 100×. Each pattern runs as the code runs it (`finditer` over
the whole text for the patterns used that way, `match` for the line patterns anchored at `^`) on its
worst tokens; the ratio is what counts, side by side in one run.
`tests/unit/test_pattern_linearity.py` asserts the same figures with a generous bound.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

MB = 1_000_000


@dataclass(frozen=True)
class PatternCase:
    label: str
    pattern: re.Pattern[str]
    tokens: tuple[str, ...]  # units repeated into one long token; the pattern's worst input first

    @property
    def use(self) -> str:
        """`match` for a line pattern (anchored at `^`, no re.M: the code calls .match on a line)."""
        anchored = self.pattern.pattern.startswith("^") and not self.pattern.flags & re.MULTILINE
        return "match" if anchored else "finditer"


def citizen_text_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern at module level of the modules that read citizen text (discovered, so a
    pattern added later is measured too), plus the whitespace squeeze used inline."""
    import handlers.identity as identity
    import handlers.letter_sender as letter_sender
    import handlers.letters as letters

    found = {
        f"{module.__name__.rsplit('.', 1)[-1]}.{name}": value
        for module in (letter_sender, letters, identity)
        for name, value in vars(module).items()
        if isinstance(value, re.Pattern)
    }
    found["inline.whitespace"] = re.compile(r"\s+")
    return found


# The worst tokens: a word (the text bomb), a run of blanks or newlines (anchors and \s), and the
# characters a pattern hinges on (`@`, `.`, digits).
DEFAULT_TOKENS = ("a", "\n", " ")
EXTRA_TOKENS = {
    "letter_sender._EMAIL": ("@a", "a", "a@", "a."),
    "letter_sender._PHONE_SPLIT": ("a", " "),
    "letter_sender._POSTCODE_LINE": ("1000 a", "1", "a"),
    "letter_sender._STREET_LINE": ("a 1", "a", "a ", "1"),
    "letter_sender._ONE_LINE_ADDRESS": ("a ", "a", "a 1, ", "1"),
    "letter_sender._TITLES": ("dr ", "a"),
    "letters._SUBJECT": ("\n", "betreft", " "),
    "letters._SIGN_OFF": ("\n", "a", " "),
    "letters._SALUTATION": ("\n", "a", " "),
}


def cases() -> list[PatternCase]:
    return [PatternCase(label, pattern, EXTRA_TOKENS.get(label, DEFAULT_TOKENS))
            for label, pattern in citizen_text_patterns().items()]


def one_token(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def best_time(run: Callable[[], object], repeats: int) -> float:
    """The fastest of `repeats` runs: the least disturbed by other work on a shared machine."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def timer(case: PatternCase, unit: str, size: int) -> Callable[[], object]:
    """One run of the pattern over `size` characters of one token, used as the code uses it."""
    text = one_token(unit, size)
    if case.use == "match":
        return lambda: case.pattern.match(text)
    return lambda: sum(1 for _ in case.pattern.finditer(text))


def growth(case: PatternCase, unit: str, small: int = MB, large: int = 10 * MB,
           repeats: int = 3) -> tuple[float, float]:
    """Seconds (fastest of `repeats`) over `small` and over `large` characters of one token."""
    return (best_time(timer(case, unit, small), repeats),
            best_time(timer(case, unit, large), max(1, repeats - 1)))


def rows(repeats: int = 3) -> Iterator[tuple[str, str, str, float, float]]:
    for case in cases():
        for unit in case.tokens:
            small, large = growth(case, unit, repeats=repeats)
            yield case.label, case.use, unit, small, large


def run(full: bool = False) -> str:
    lines = [
        "## Patterns on citizen text: 1 MB vs 10 MB of one token",
        "",
        "Linear growth is 10×, quadratic 100×; fastest of 3 runs (1 MB) and of 2 (10 MB).",
        "",
        "| pattern | used as | token | 1 MB | 10 MB | ratio |",
        "|---|---|---|---:|---:|---:|",
    ]
    for label, use, unit, small, large in rows():
        lines.append(f"| `{label}` | {use} | `{unit!r}` | {small * 1000:,.1f} ms | {large * 1000:,.1f} ms "
                     f"| {large / max(small, 1e-9):.1f}× |")
    return "\n".join(lines) + "\n"
