"""Accessibility of the page: axe-core, colour contrast, touch sizing.

axe-core (pinned in web/vendor.lock.json as a test-only tool, fetched by
scripts/setup.py into web/vendor/axe/) is injected into the page, which never loads
it itself. The page is checked in light and dark colour schemes, at desktop width
and as a phone (390x844, touch), on the default example at the start and in the
middle of the backward pass: no violation of impact "serious" or "critical".

Contrast is computed here (WCAG 2 relative luminance) from the colours the browser
computed, so it checks what is drawn, not what the stylesheet meant.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from pagetools import settle

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "vendor" / "axe" / "axe.min.js"
BOOT_MS = 120_000
T = "[data-testid={}]".format

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DEVICES = {"desktop": DESKTOP, "phone": PHONE}
SCHEMES = ("light", "dark")

# Gradient fills are mix(--node-bg, --grad-pos/--grad-neg, 0.12 + 0.6 * |g|/max)
# (web/graph/geometry.js gradFill): the strongest is 72 % of the gradient colour.
STRONGEST = 0.72


# --------------------------------------------------------------------------- pages


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname == "127.0.0.1"


@pytest.fixture(scope="module")
def pages(browser, base_url):
    """pages(scheme, device) -> a booted page on the default example (one per kind)."""
    opened: dict[tuple[str, str], SimpleNamespace] = {}

    def get(scheme: str, device: str):
        key = (scheme, device)
        if key not in opened:
            context = browser.new_context(base_url=base_url, color_scheme=scheme, **DEVICES[device])
            page = context.new_page()
            w = SimpleNamespace(context=context, page=page, requests=[], errors=[])
            context.on("request", lambda r: w.requests.append(r.url))
            page.on("pageerror", lambda e: w.errors.append(f"pageerror: {e}"))
            page.on("console", lambda m: m.type == "error" and w.errors.append(f"console.error: {m.text}"))
            page.goto("index.html")
            page.wait_for_selector("body[data-ready=true]", timeout=BOOT_MS)
            opened[key] = w
        w = opened[key]
        w.page.keyboard.press("Escape")
        to_start(w.page)
        return w

    yield get
    for w in opened.values():
        w.context.close()


def check_clean(w) -> None:
    foreign = [u for u in w.requests if not _is_local(u)]
    assert not foreign, f"requests left 127.0.0.1: {foreign}"
    assert not w.errors, "page reported errors:\n" + "\n".join(w.errors)


def phase(page) -> str:
    return page.get_attribute(T("status"), "data-phase")


def to_start(page) -> None:
    if phase(page) != "start":
        page.click(T("reset"))
    assert phase(page) == "start"


def to_mid_backward(page) -> None:
    """Forward all, then a few backward steps: some gradients drawn, not all."""
    to_start(page)
    page.click(T("forward-all"))
    assert phase(page) == "forward-done"
    for _ in range(3):
        page.click(T("backward-step"))
    assert phase(page) == "backward"
    grads = page.eval_on_selector_all("[data-node-id]", "els => els.map(e => e.getAttribute('data-grad'))")
    assert any(grads) and not all(grads), grads


def to_backward_done(page) -> None:
    to_start(page)
    page.click(T("backward-all"))
    assert phase(page) == "backward-done"


# --------------------------------------------------------------------------- axe


def run_axe(page) -> list[dict]:
    assert AXE.is_file(), f"{AXE.relative_to(ROOT)} missing: run `python3 scripts/setup.py --vendor-only`"
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
          // label-content-name-mismatch is "experimental" in axe, so not on by default.
          const r = await axe.run(document, {
            resultTypes: ["violations"],
            rules: { "label-content-name-mismatch": { enabled: true } },
          });
          return r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({ target: n.target.join(" "), impact: n.impact,
                                      summary: n.failureSummary })),
          }));
        }"""
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}")
        for n in v["nodes"][:12]:
            summary = " / ".join((n["summary"] or "").splitlines()[1:3]).strip()
            lines.append(f"    {n['target']}  [{n['impact']}] {summary}")
        if len(v["nodes"]) > 12:
            lines.append(f"    ... and {len(v['nodes']) - 12} more")
    return "\n".join(lines)


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_serious_violation(pages, scheme, device):
    w = pages(scheme, device)
    page = w.page
    found = {}
    for state, go in (("start", to_start), ("mid-backward", to_mid_backward)):
        go(page)
        violations = run_axe(page)
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        if bad:
            found[state] = describe(bad)
        else:
            print(f"{scheme}/{device}/{state}: minor axe findings:\n{describe(violations)}" if violations else "")
    assert not found, "\n".join(f"--- {scheme}, {device}, {s}:\n{d}" for s, d in found.items())
    check_clean(w)


# --------------------------------------------------------------------------- leaves


def test_a_leafs_name_starts_with_its_visible_text(pages):
    w = pages("light", "desktop")
    page = w.page

    def leaves():
        return page.eval_on_selector_all(
            "[data-node-id]",
            """els => els.map(e => ({
                  label: e.getAttribute("data-label"),
                  role: e.getAttribute("role"), tabindex: e.getAttribute("tabindex"),
                  name: e.getAttribute("aria-label"),
                  texts: [...e.querySelectorAll("text")].map(t => t.textContent),
                  leaf: e.classList.contains("leaf") }))""",
        )

    for go in (to_start, to_backward_done):
        go(page)
        rows = leaves()
        leafs = [r for r in rows if r["leaf"]]
        assert {r["label"] for r in leafs} == {"a", "b", "c", "f"}, rows
        for r in leafs:
            assert r["role"] == "button" and r["tabindex"] == "0", r
            visible = ", ".join(t.replace("\xa0", " ").strip() for t in r["texts"])
            name = r["name"] or ""
            assert name.startswith(visible), (name, visible)
            assert "Enter" in name and "E edits" in name, name
        # The grad shown in the name follows the step.
        a = next(r for r in leafs if r["label"] == "a")
        assert ("grad —" in a["name"]) == (go is to_start), a["name"]
        # Value nodes that are not leaves get no role that would need a name.
        for r in rows:
            if not r["leaf"]:
                assert r["role"] is None and r["tabindex"] is None, r

    # Frozen shows in the name, after the visible text.
    to_start(page)
    page.focus("[data-label=a].leaf")
    page.keyboard.press("Enter")
    settle(page)  # freezing is the engine's: wait for its answer
    name = page.get_attribute("[data-label=a].leaf", "aria-label")
    assert name.startswith("a, data 2.0000, grad —") and "frozen" in name, name
    page.keyboard.press("Enter")
    settle(page)
    assert "frozen" not in page.get_attribute("[data-label=a].leaf", "aria-label")
    check_clean(w)


# --------------------------------------------------------------------------- contrast


def parse_rgb(s: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)', 'rgba(1, 2, 3, 0.5)', 'rgb(1 2 3 / 0.5)' or '#rrggbb' -> (r, g, b, a)."""
    s = s.strip()
    if s.startswith("#"):
        h = s[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), 1.0)
    nums = [float(x) for x in re.findall(r"[\d.]+", s)]
    assert s.startswith("rgb") and len(nums) in (3, 4), f"cannot parse colour {s!r}"
    return (nums[0], nums[1], nums[2], nums[3] if len(nums) == 4 else 1.0)


def over(top: str, bottom: str) -> tuple[float, float, float]:
    """The opaque colour of `top` drawn over the opaque `bottom`."""
    r, g, b, a = parse_rgb(top)
    br, bg, bb, ba = parse_rgb(bottom)
    assert ba == 1.0, f"background {bottom!r} is not opaque"
    return (r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a))


def luminance(rgb) -> float:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    a, b = luminance(over(fg, bg)), luminance(over(bg, bg))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def mix(a: str, b: str, t: float) -> str:
    """web/graph/geometry.js mix(): channel-wise, rounded."""
    ca, cb = parse_rgb(a), parse_rgb(b)
    return "rgb({},{},{})".format(*(round(x + (y - x) * t) for x, y in zip(ca[:3], cb[:3], strict=True)))


def test_luminance_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("rgba(0, 0, 0, 0)", "#ffffff") == pytest.approx(1.0)


def theme_colours(page) -> dict:
    """The computed colours of what the graph and the nudge panel draw."""
    return page.evaluate(
        """() => {
          const cs = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
          const root = getComputedStyle(document.documentElement);
          const v = name => root.getPropertyValue(name).trim();
          // Resolve custom properties to rgb() through a probe element.
          const probe = document.createElement("div");
          document.body.appendChild(probe);
          const rgb = c => { probe.style.color = c; return getComputedStyle(probe).color; };
          const out = {
            graphBg: cs(".graph-wrap", "backgroundColor"),
            nodeBg: rgb(v("--node-bg")), gradPos: rgb(v("--grad-pos")), gradNeg: rgb(v("--grad-neg")),
            posLine: rgb(v("--grad-pos-line")),
            cap: cs("[data-node-id] .cap", "fill"),
            value: cs("[data-node-id] .num tspan:not(.cap)", "fill"),
            label: cs("[data-node-id] .lbl", "fill"),
            edge: cs(".graph-svg .edge:not(.active)", "stroke"),
            rateBorder: cs("[data-testid=nudge-rate]", "borderTopColor"),
            rateBg: cs("[data-testid=nudge-rate]", "backgroundColor"),
            panelBg: cs(".nudge-panel", "backgroundColor"),
            drawnFills: [...document.querySelectorAll("[data-node-id] .box")].map(
                b => getComputedStyle(b).fill),
          };
          probe.remove();
          return out;
        }"""
    )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_contrast_meets_wcag_aa(pages, scheme):
    w = pages(scheme, "desktop")
    page = w.page
    to_backward_done(page)
    c = theme_colours(page)
    fills = {
        "node background": c["nodeBg"],
        "strongest positive fill": mix(c["nodeBg"], c["gradPos"], STRONGEST),
        "strongest negative fill": mix(c["nodeBg"], c["gradNeg"], STRONGEST),
    }
    # The fills actually drawn after the backward pass, too.
    fills.update({f"drawn fill {i}": f for i, f in enumerate(c["drawnFills"])})
    ratios = {}
    for where, fill in fills.items():
        for what in ("cap", "value", "label"):
            ratios[f"{what} text on {where}"] = (contrast(c[what], fill), 4.5)
    ratios["edge stroke on graph background"] = (contrast(c["edge"], c["graphBg"]), 3.0)
    ratios["gradient-colour lines (nudge plot) on graph background"] = (contrast(c["posLine"], c["graphBg"]), 3.0)
    ratios["rate input border on its background"] = (contrast(c["rateBorder"], c["rateBg"]), 3.0)
    ratios["rate input border on the panel"] = (contrast(c["rateBorder"], c["panelBg"]), 3.0)
    report = "\n".join(f"  {k}: {r:.2f} (needs {need})" for k, (r, need) in ratios.items())
    print(f"{scheme}:\n{report}")
    low = {k: round(r, 2) for k, (r, need) in ratios.items() if r < need}
    assert not low, f"{scheme}: too little contrast: {low}\n{c}"
    # The fills still tell positive, negative and zero apart.
    strong = [fills["node background"], fills["strongest positive fill"], fills["strongest negative fill"]]
    assert len(set(strong)) == 3, strong
    check_clean(w)


# --------------------------------------------------------------------------- touch


def test_phone_hides_the_keyboard_hint_and_has_44px_targets(pages):
    w = pages("light", "phone")
    page = w.page
    assert page.evaluate("matchMedia('(hover: none) and (pointer: coarse)').matches")
    assert page.is_hidden(".editor-panel .hint"), "the Ctrl+Enter hint shows on a touch device"
    controls = page.eval_on_selector_all(
        "button, select, input:not([type=range]):not([type=hidden]), summary",
        """els => els.filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
              .map(e => { const r = e.getBoundingClientRect();
                          return { what: e.dataset.testid || e.id || e.textContent.trim().slice(0, 20),
                                   tag: e.tagName, h: r.height, w: r.width, left: r.left, right: r.right }; })""",
    )
    assert len(controls) >= 15, controls
    small = [(c["what"], c["h"]) for c in controls if c["h"] < 44 - 0.01]
    assert not small, f"touch targets under 44 px high: {small}"
    narrow = [(c["what"], c["w"]) for c in controls if c["tag"] in ("BUTTON", "SUMMARY") and c["w"] < 44 - 0.01]
    assert not narrow, f"buttons under 44 px wide: {narrow}"
    # Nothing pokes out of the 390 px screen: the toolbar wraps.
    outside = [(c["what"], c["left"], c["right"]) for c in controls if c["left"] < 0 or c["right"] > 390 + 0.5]
    assert not outside, outside
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The toolbar's buttons sit in rows that do not overlap.
    boxes = page.eval_on_selector_all(
        ".toolbar button, .toolbar select",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })",
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
            assert not overlap, (a, b)
    check_clean(w)


def test_desktop_keeps_the_keyboard_hint_and_compact_controls(pages):
    w = pages("light", "desktop")
    page = w.page
    assert not page.evaluate("matchMedia('(hover: none) and (pointer: coarse)').matches")
    assert page.is_visible(".editor-panel .hint")
    assert page.inner_text(".editor-panel .hint").strip() == "Ctrl+Enter runs"
    h = page.evaluate("document.querySelector('[data-testid=forward-step]').getBoundingClientRect().height")
    assert h < 44, h
    check_clean(w)
