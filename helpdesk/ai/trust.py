"""Auto-apply is earned, per category and field, on this helpdesk's own human-confirmed tickets.

Why: the shipped model is precise on the data it was trained on and confidently wrong on another company's
categories and wording. A confidence threshold alone cannot know that; only this organisation's people can. So:

* every (predicted category, field) starts **suggest-only**;
* each time a person decides a field the AI predicted (sets it, changes it, accepts or rejects the suggestion, or
  chose it when filing), a *judgement* is stored: was the prediction right, and was it confident (above the
  auto-apply threshold after the unfamiliarity discount, i.e. would it have been applied in auto mode);
* the evidence is kept per **confidence band** (AI_AUTO_APPLY_BANDS; by default above the threshold 0.85: 0.85-0.95,
  0.95-0.99 and above 0.99): a judgement counts for the band its prediction was made in, and a prediction is applied
  only when its own band has earned it. Pooled, a category's borderline predictions (right ~90 % of the time) kept
  its surest ones (right ~99 %) from ever proving themselves, and the surest would have vouched for the borderline;
* over a rolling window of the newest confident judgements of that (category, field, band), the one-sided Wilson
  lower bound of the precision must exceed the target (AI_AUTO_APPLY_TARGET) with at least
  AI_AUTO_APPLY_MIN_EVIDENCE judgements before the band switches to **auto**; it switches back by itself when the
  bound falls below the target minus AI_AUTO_APPLY_DEMOTE_MARGIN (a little hysteresis, so one mistake right after
  earning does not flip it). The (category, field) is "auto" when at least one of its bands is;
* an administrator may override either way; every switch, automatic or manual, is audited.

With AI_AUTO_APPLY_POLICY=threshold the evidence is still gathered and shown, but any confident prediction is applied
(the behaviour before issue #16).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import literal, union_all
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from helpdesk.core import app_settings, audit
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.core.settings import get_settings
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import AiAutoApplyState, AiJudgement, AiPrediction, AutoApplyMode, Category
from helpdesk.models.base import utcnow

FIELDS = ("category", "team", "priority")
OVERRIDES = ("", AutoApplyMode.SUGGEST.value, AutoApplyMode.AUTO.value)


def wilson_interval(correct: int, n: int, z: float) -> tuple[float | None, float | None]:
    """The Wilson score interval of a proportion (None, None without evidence); honest on small counts and near 1,
    where the normal approximation would claim certainty from a handful of right answers."""
    if n <= 0:
        return None, None
    p = correct / n
    denominator = 1 + z * z / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


@dataclass(frozen=True)
class Evidence:
    judged: int
    correct: int

    def precision(self) -> float | None:
        return self.correct / self.judged if self.judged else None


def parse_band_edges(text: str) -> tuple[float, ...]:
    """"0.95,0.99" -> (0.95, 0.99): the lower edges of the bands above the threshold, ascending, each in (0, 1)."""
    edges = sorted({round(float(part), 4) for part in text.split(",") if part.strip()})
    return tuple(e for e in edges if 0.0 < e < 1.0)


@dataclass(frozen=True)
class Band:
    """Confidences above `low` up to `high` (1.0 for the top band); `key` names it in storage ("0.95")."""

    low: float
    high: float

    @property
    def key(self) -> str:
        return f"{self.low:.4g}"

    @property
    def label(self) -> str:
        return f"above {self.low:.2f}" if self.high >= 1.0 else f"{self.low:.2f}–{self.high:.2f}"

    def holds(self, confidence: float) -> bool:
        return self.low < confidence <= self.high or (self.high >= 1.0 and confidence > self.low)


def bands_above(threshold: float, edges: tuple[float, ...]) -> tuple[Band, ...]:
    """The bands a confident prediction (above the threshold) can fall in: threshold-edge1, edge1-edge2, ... above
    the last edge. Edges at or below the threshold are ignored."""
    lows = [threshold, *(e for e in edges if e > threshold)]
    return tuple(Band(low, lows[i + 1] if i + 1 < len(lows) else 1.0) for i, low in enumerate(lows))


def band_of(confidence: float, bands: tuple[Band, ...]) -> Band | None:
    """The band a confidence falls in; None at or below the threshold (not confident: never applied)."""
    for band in reversed(bands):
        if confidence > band.low:
            return band
    return None


@dataclass(frozen=True)
class TrustRules:
    """The configured rules (settings), passed explicitly so the benchmark can replay them without a database."""

    target: float
    z: float
    min_evidence: int
    window: int
    demote_margin: float
    band_edges: tuple[float, ...] = ()

    @classmethod
    def from_settings(cls) -> TrustRules:
        s = get_settings()
        return cls(s.ai_auto_apply_target, s.ai_auto_apply_z, s.ai_auto_apply_min_evidence, s.ai_auto_apply_window,
                   s.ai_auto_apply_demote_margin, parse_band_edges(s.ai_auto_apply_bands))

    def bands(self, threshold: float) -> tuple[Band, ...]:
        return bands_above(threshold, self.band_edges)

    def next_mode(self, current: str, evidence: Evidence) -> str:
        """The earned mode after this evidence: earn above the target, lose below target - margin, else keep."""
        lower, _ = wilson_interval(evidence.correct, evidence.judged, self.z)
        if current == AutoApplyMode.AUTO.value:
            if lower is None or lower < self.target - self.demote_margin:
                return AutoApplyMode.SUGGEST.value
            return current
        if evidence.judged >= self.min_evidence and lower is not None and lower > self.target:
            return AutoApplyMode.AUTO.value
        return AutoApplyMode.SUGGEST.value


def current_threshold(session: Session | None = None) -> float:
    """The auto-apply threshold in force (the administrator's, default AI_AUTO_APPLY_THRESHOLD): the bottom band's
    lower edge."""
    return float(app_settings.value(session, "ai_auto_apply_threshold"))


def effective_mode(state: AiAutoApplyState | None) -> str:
    """The (category, field)'s mode as a whole: the override, else auto when any of its bands earned it."""
    if state is None:
        return AutoApplyMode.SUGGEST.value
    return state.override or state.earned_mode


def mode_at(state: AiAutoApplyState | None, confidence: float, bands: tuple[Band, ...]) -> str:
    """The mode for one prediction: an override decides for every confidence; else its band's earned mode."""
    if state is None:
        return AutoApplyMode.SUGGEST.value
    if state.override:
        return state.override
    band = band_of(confidence, bands)
    if band is None:
        return AutoApplyMode.SUGGEST.value
    return str(((state.bands or {}).get(band.key) or {}).get("mode", AutoApplyMode.SUGGEST.value))


def modes_for(session: Session, category_id: int | None, confidences: dict[str, float] | None = None,
              threshold: float | None = None) -> dict[str, str]:
    """The mode of each field for a predicted category at the given confidences (suggest-only when nothing is
    known). Without confidences: each field's mode as a whole (auto when any band earned it)."""
    if category_id is None:
        return dict.fromkeys(FIELDS, AutoApplyMode.SUGGEST.value)
    states = {s.field: s for s in session.exec(
        select(AiAutoApplyState).where(AiAutoApplyState.category_id == category_id)).all()}
    if confidences is None:
        return {field: effective_mode(states.get(field)) for field in FIELDS}
    bands = TrustRules.from_settings().bands(current_threshold(session) if threshold is None else threshold)
    return {field: mode_at(states.get(field), confidences.get(field, 0.0), bands) for field in FIELDS}


# ---------------------------------------------------------------- judgements


def record_judgement(session: Session, prediction: AiPrediction, field: str, suggested: int | str, final: Any,
                     *, actor_id: int | None, now: datetime, correct: bool | None = None) -> None:
    """A person's verdict on a predicted field; replaces an earlier verdict on the same ticket and field, then
    re-evaluates the (category, field)'s mode. Predictions without a category have nothing to earn."""
    category_id = prediction.predicted_category_id
    if category_id is None or field not in FIELDS:
        return
    gate = prediction.gate or {}
    confidence = float((gate.get("confidence") or {}).get(field, 0.0))
    threshold = float(gate.get("threshold", get_settings().ai_auto_apply_threshold))
    if correct is None:
        correct = final is not None and str(final) == str(suggested)
    values = {"ticket_id": prediction.ticket_id, "prediction_id": prediction.id, "field": field,
              "category_id": category_id, "suggested_value": str(suggested)[:80],
              "final_value": None if final is None else str(final)[:80], "confidence": confidence,
              "confident": (field == "priority" or bool(gate.get("familiar", True))) and confidence > threshold,
              "auto_applied": field in (prediction.applied_fields or []), "correct": bool(correct),
              "actor_id": actor_id, "judged_at": now}
    statement = insert(AiJudgement).values(**values).on_conflict_do_update(
        constraint="uq_ai_judgements_ticket_field", set_={k: v for k, v in values.items() if k != "ticket_id"})
    session.execute(statement)
    refresh_mode(session, category_id, field, now=now, threshold=threshold)


def _newest(category_id: int, field: str, window: int, band: Band | None, name: str) -> Any:  # noqa: ANN401
    query = select(literal(name).label("band"), AiJudgement.correct).where(
        AiJudgement.category_id == category_id, AiJudgement.field == field, AiJudgement.confident)
    if band is not None:
        query = query.where(AiJudgement.confidence > band.low)
        if band.high < 1.0:
            query = query.where(AiJudgement.confidence <= band.high)
    return query.order_by(AiJudgement.judged_at.desc(), AiJudgement.id.desc()).limit(window).subquery()


def window_evidence(session: Session, category_id: int, field: str, window: int,
                    bands: tuple[Band, ...] = ()) -> tuple[Evidence, dict[str, Evidence]]:
    """The newest `window` confident judgements of a (category, field), and of each confidence band, in one round
    trip (each part a short walk down idx_ai_judgements_category_field)."""
    parts = [_newest(category_id, field, window, None, "")]
    parts += [_newest(category_id, field, window, band, band.key) for band in bands]
    selects = [select(part.c.band, part.c.correct) for part in parts]
    rows = session.execute(union_all(*selects) if len(selects) > 1 else selects[0]).all()
    counts: dict[str, list[int]] = {name: [0, 0] for name in ["", *(band.key for band in bands)]}
    for name, correct in rows:
        counts[name][0] += 1
        counts[name][1] += int(bool(correct))
    overall = Evidence(*counts.pop(""))
    return overall, {name: Evidence(judged, right) for name, (judged, right) in counts.items()}


def _locked_state(session: Session, category_id: int, field: str, now: datetime) -> AiAutoApplyState:
    # Insert-if-missing, then lock: two verdicts on the same pair at once must not both decide a switch.
    session.execute(insert(AiAutoApplyState).values(
        category_id=category_id, field=field, earned_mode=AutoApplyMode.SUGGEST.value, judged=0, correct=0,
        updated_at=now).on_conflict_do_nothing(constraint="uq_ai_auto_apply_states_category_field"))
    return session.exec(select(AiAutoApplyState).where(
        AiAutoApplyState.category_id == category_id, AiAutoApplyState.field == field).with_for_update()).one()


def refresh_mode(session: Session, category_id: int, field: str, *, now: datetime | None = None,
                 rules: TrustRules | None = None, threshold: float | None = None) -> AiAutoApplyState:
    """Recomputes a (category, field)'s evidence and earned mode, per confidence band; each band's switch is
    audited. The row's own figures are over all its confident judgements (what people see first); its earned mode is
    auto while any band is."""
    now = now or utcnow()
    rules = rules or TrustRules.from_settings()
    threshold = current_threshold(session) if threshold is None else threshold
    state = _locked_state(session, category_id, field, now)
    bands = rules.bands(threshold)
    evidence, per_band = window_evidence(session, category_id, field, rules.window, bands)
    lower, upper = wilson_interval(evidence.correct, evidence.judged, rules.z)
    state.judged, state.correct = evidence.judged, evidence.correct
    state.precision = evidence.precision()
    state.lower_bound, state.upper_bound = lower, upper
    state.updated_at = now
    old_bands: dict[str, Any] = dict(state.bands or {})
    new_bands: dict[str, Any] = {}
    for band in bands:
        seen = per_band[band.key]
        low, high = wilson_interval(seen.correct, seen.judged, rules.z)
        previous = old_bands.get(band.key) or {}
        before = str(previous.get("mode", AutoApplyMode.SUGGEST.value))
        after = rules.next_mode(before, seen)
        new_bands[band.key] = {"low": band.low, "high": band.high, "judged": seen.judged, "correct": seen.correct,
                               "lower_bound": low, "upper_bound": high, "mode": after,
                               "switched_at": now.isoformat() if after != before else previous.get("switched_at")}
        if after != before:
            audit.record(session, "ai.auto_apply_switched", actor_id=None, entity_type="category",
                         entity_id=str(category_id),
                         details={"field": field, "band": band.label, "from": before, "to": after,
                                  "judged": seen.judged, "correct": seen.correct, "lower_bound": round(low or 0.0, 4),
                                  "target": rules.target, "overridden": state.override or None})
    state.bands = new_bands  # a new dict, so the JSONB column is seen as changed
    earned = (AutoApplyMode.AUTO.value if any(b["mode"] == AutoApplyMode.AUTO.value for b in new_bands.values())
              else AutoApplyMode.SUGGEST.value)
    if earned != state.earned_mode:
        state.earned_mode, state.switched_at = earned, now
    session.add(state)
    session.flush()
    return state


# ---------------------------------------------------------------- the admin's view and override


def set_override(session: Session, actor: Actor, category_id: int, field: str, override: str) -> AiAutoApplyState:
    """An administrator forces a (category, field) to suggest-only or auto, or ("") lets the evidence decide."""
    if not policy.is_admin(actor):
        raise PermissionDenied("Only administrators can change how the AI applies its suggestions.")
    if field not in FIELDS:
        raise ValidationFailed({"field": f"Choose one of: {', '.join(FIELDS)}."})
    if override not in OVERRIDES:
        raise ValidationFailed({"override": "Choose suggest, auto or nothing (the evidence decides)."})
    if session.get(Category, category_id) is None:
        raise ValidationFailed({"category": "There is no such category."})
    now = utcnow()
    state = _locked_state(session, category_id, field, now)
    before = state.override or ""
    if before == override:
        return state
    state.override, state.updated_at = override or None, now
    session.add(state)
    session.flush()
    audit.record(session, "ai.auto_apply_override", actor_id=actor.user_id, entity_type="category",
                 entity_id=str(category_id),
                 details={"field": field, "from": before or None, "to": override or None,
                          "earned_mode": state.earned_mode})
    return state


def _category_paths(session: Session) -> dict[int, tuple[str, bool]]:
    categories = {c.id: c for c in session.exec(select(Category)).all()}

    def path(c: Category) -> str:
        parent = categories.get(c.parent_id) if c.parent_id else None
        return f"{parent.name} / {c.name}" if parent else c.name

    return {cid: (path(c), c.is_active) for cid, c in categories.items()}


def _band_rows(state: AiAutoApplyState | None, bands: tuple[Band, ...]) -> list[dict[str, Any]]:
    stored = (state.bands or {}) if state is not None else {}
    rows = []
    for band in bands:
        seen = stored.get(band.key) or {}
        rows.append({"band": band.label, "low": band.low, "mode": seen.get("mode", AutoApplyMode.SUGGEST.value),
                     "judged": int(seen.get("judged", 0)), "correct": int(seen.get("correct", 0)),
                     "lower_bound": seen.get("lower_bound"), "upper_bound": seen.get("upper_bound")})
    return rows


def auto_apply_table(session: Session, actor: Actor, threshold: float | None = None) -> list[dict[str, Any]]:
    """Per active category and field: mode, the override, evidence and precision with its interval, and the same per
    confidence band (managers and admins). Categories nobody has judged yet are listed too: suggest-only, no
    evidence."""
    if not actor.can_read_all:
        raise PermissionDenied("Only managers and administrators can see the AI's auto-apply modes.")
    rules = TrustRules.from_settings()
    bands = rules.bands(current_threshold(session) if threshold is None else threshold)
    states = {(s.category_id, s.field): s for s in session.exec(select(AiAutoApplyState)).all()}
    rows = []
    for category_id, (path, active) in sorted(_category_paths(session).items(), key=lambda item: item[1][0]):
        if not active and not any((category_id, f) in states for f in FIELDS):
            continue
        for field in FIELDS:
            state = states.get((category_id, field))
            rows.append({
                "category_id": category_id, "category": path, "field": field,
                "mode": effective_mode(state), "earned_mode": state.earned_mode if state else "suggest",
                "override": (state.override or "") if state else "",
                "judged": state.judged if state else 0, "correct": state.correct if state else 0,
                "precision": state.precision if state else None,
                "lower_bound": state.lower_bound if state else None,
                "upper_bound": state.upper_bound if state else None,
                "switched_at": state.switched_at if state else None,
                "target": rules.target, "min_evidence": rules.min_evidence,
                "bands": _band_rows(state, bands),
            })
    return rows
