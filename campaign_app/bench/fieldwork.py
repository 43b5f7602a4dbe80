"""Benchmark campaigns and their visits, with the officers assigned, as rows to load.

Each branch runs its campaigns one after another over the preset's days (periods of two to four months that
overlap a little), each in one of the branch's regencies, on working days. An officer has one visit a day at
most. Past visits are mostly done (some postponed or cancelled, with a reason), today's are in progress,
later ones planned. Visits are planned first (``plan_visits``) so that sign-ups can be shared out among those
that took place before their rows, with attendance to match, are written.
"""

import random
from dataclasses import dataclass
from datetime import date

from campaign_app.bench.bulk import clock_text, day_text, stamp
from campaign_app.bench.presets import Preset
from campaign_app.bench.staff import BranchPlan, split
from campaign_app.demo.campaigns import ACTIVITIES
from campaign_app.demo.signups import NOTES, OBSTACLE_NOTES
from campaign_app.models import CampaignStatus, Channel, Obstacle, VisitStatus

CAMPAIGN_COLUMNS = ("id", "branch_id", "name", "channel", "starts_on", "ends_on", "target_signups",
                    "target_villages", "budget", "partner", "description", "status", "closed_at", "created_by_id",
                    "created_at")
VISIT_COLUMNS = ("id", "campaign_id", "branch_id", "village_code", "visit_date", "start_time", "planned_activity",
                 "planned_cost", "status", "status_reason", "created_by_id", "created_at", "checked_in_at",
                 "checked_in_by_id", "closed_at", "attendance_women", "attendance_men", "obstacles", "notes")
ASSIGNMENT_COLUMNS = ("visit_id", "officer_id", "assigned_at", "assigned_by_id")

CHANNELS = [Channel.VILLAGE_MEETING, Channel.DOOR_TO_DOOR, Channel.MARKET_STALL, Channel.PARTNER_EVENT,
            Channel.OTHER]
CHANNEL_WEIGHTS = [40, 25, 15, 15, 5]
THEMES = ["Bekerja Tanpa Cemas", "Bulan K3 Desa", "Nelayan Terlindungi", "Petani Sejahtera", "Lapak Pasar Rakyat",
          "Ojek Aman", "Perempuan Pekerja Terlindungi", "Desa Sadar Jaminan Sosial"]
POSTPONED_REASONS = ["Jalan tertutup longsor", "Banjir di jalan desa", "Kepala desa berhalangan",
                     "Bersamaan dengan acara adat"]
CANCELLED_REASONS = ["Desa sudah dikunjungi kampanye lain", "Anggaran dialihkan", "Mitra membatalkan acara"]
# WITA is UTC+8: the hour an officer starts in the village, as UTC minutes after midnight.
WITA_OFFSET_MINUTES = 8 * 60
START_HOURS = (8, 9, 10, 13)
CREW_SIZES, CREW_WEIGHTS = (1, 2, 3), (30, 50, 20)


@dataclass(slots=True)
class PlannedVisit:
    id: int
    campaign_id: int
    branch_id: int
    village_code: str
    district_code: str
    regency_code: str
    day: int  # date.toordinal()
    hour: int  # WITA
    status: str
    officers: tuple[int, ...]
    coordinator_id: int
    planned_cost: int
    # When the officers checked in, in UTC minutes after midnight (done and in-progress visits).
    check_in: int = 0
    signups: int = 0


@dataclass
class Fieldwork:
    campaign_rows: list[tuple]
    visits: list[PlannedVisit]


def _working_day(ordinal: int, first: int, last: int) -> int:
    """The day, or the nearest working day (Monday to Friday) inside [first, last]."""
    day = ordinal
    while date.fromordinal(day).weekday() >= 5 and day < last:
        day += 1
    while date.fromordinal(day).weekday() >= 5 and day > first:
        day -= 1
    return day


def _crew(rng: random.Random, officers: list[int], busy: set[tuple[int, int]], day: int) -> tuple[int, ...]:
    """1–3 officers free on the day (fewer when the branch is short of free officers that day)."""
    wanted = rng.choices(CREW_SIZES, CREW_WEIGHTS)[0]
    crew = []
    for _attempt in range(6 * wanted):
        officer = rng.choice(officers)
        if (officer, day) not in busy and officer not in crew:
            crew.append(officer)
            if len(crew) == wanted:
                break
    crew = crew or [rng.choice(officers)]
    busy.update((officer, day) for officer in crew)
    return tuple(sorted(crew))


def plan_fieldwork(preset: Preset, branches: list[BranchPlan], rng: random.Random, today: date,
                   first_campaign_id: int, first_visit_id: int) -> Fieldwork:
    """Every branch's campaigns (rows) and visits (planned, not yet rows)."""
    last_day = today.toordinal() + max(14, preset.days // 25)
    first_day = today.toordinal() - preset.days
    campaign_rows, visits = [], []
    campaign_id, visit_id = first_campaign_id, first_visit_id
    for branch, branch_visits in zip(branches, split(preset.visits, len(branches)), strict=True):
        busy: set[tuple[int, int]] = set()
        regencies = [r for r in branch.regencies if branch.villages.get(r.code)]
        count = preset.campaigns_per_branch
        span = (last_day - first_day) / count
        for n, visit_count in enumerate(split(branch_visits, count)):
            starts = first_day + int(n * span) + rng.randrange(0, max(1, int(span) // 6))
            ends = starts + max(int(span * rng.uniform(1.0, 1.4)), 30)
            regency = regencies[n % len(regencies)]
            villages = branch.villages[regency.code]
            coordinator = rng.choice(branch.coordinator_ids)
            channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
            theme = rng.choice(THEMES)
            year = date.fromordinal(starts).year
            costs = [rng.randrange(300_000, 2_500_001, 50_000) for _ in range(visit_count)]
            closed = ends < today.toordinal()
            created = stamp(starts - 14, 2 * 60)
            campaign_rows.append((
                campaign_id, branch.id, f"{theme} {regency.name.removeprefix('Kabupaten ')} {year}", channel.value,
                day_text(starts), day_text(ends), visit_count * 20, min(len(villages), max(1, visit_count // 2)),
                int(round(sum(costs) * 1.15, -6)), "Dinas Tenaga Kerja" if channel == Channel.PARTNER_EVENT else None,
                f"Kampanye {theme.lower()} untuk pekerja bukan penerima upah.",
                CampaignStatus.CLOSED.value if closed else CampaignStatus.OPEN.value,
                stamp(ends + 1, 60) if closed else None, coordinator, created))
            window_end = min(ends, last_day)
            for cost in costs:
                day = _working_day(rng.randrange(starts, window_end + 1), starts, window_end)
                village, district = rng.choice(villages)
                status = _status(rng, day, today.toordinal())
                hour = rng.choice(START_HOURS)
                visit = PlannedVisit(visit_id, campaign_id, branch.id, village, district, regency.code, day, hour,
                                     status, _crew(rng, branch.officer_ids, busy, day), coordinator, cost)
                if status in (VisitStatus.DONE, VisitStatus.IN_PROGRESS):
                    visit.check_in = (hour * 60 - WITA_OFFSET_MINUTES) % (24 * 60) + rng.randrange(40)
                visits.append(visit)
                visit_id += 1
            campaign_id += 1
    return Fieldwork(campaign_rows, visits)


def _status(rng: random.Random, day: int, today: int) -> str:
    if day > today:
        return VisitStatus.PLANNED.value
    if day == today:
        return VisitStatus.IN_PROGRESS.value
    draw = rng.random()
    if draw < 0.06:
        return VisitStatus.POSTPONED.value
    if draw < 0.12:
        return VisitStatus.CANCELLED.value
    return VisitStatus.DONE.value


def share_signups(visits: list[PlannedVisit], total: int, rng: random.Random) -> None:
    """Give the visits that took place (done or in progress) ``total`` sign-ups in all, each a random share
    around the mean (40 % to 160 % of it)."""
    held = [v for v in visits if v.status in (VisitStatus.DONE, VisitStatus.IN_PROGRESS)]
    if not held:
        return
    mean = total / len(held)
    low, high = max(0, round(mean * 0.4)), max(1, round(mean * 1.6))
    for visit in held:
        visit.signups = rng.randint(low, high)
    difference = total - sum(v.signups for v in held)
    step = 1 if difference > 0 else -1
    index = 0
    while difference:
        visit = held[index % len(held)]
        if step > 0 or visit.signups > 0:
            visit.signups += step
            difference -= step
        index += 1


def visit_rows(visits: list[PlannedVisit], rng: random.Random, activities=ACTIVITIES):
    """The visits' rows: attendance at least the sign-ups, an obstacle at a quarter of them, a note now and then."""
    obstacles = list(Obstacle)
    for v in visits:
        reason = None
        if v.status == VisitStatus.POSTPONED:
            reason = rng.choice(POSTPONED_REASONS)
        elif v.status == VisitStatus.CANCELLED:
            reason = rng.choice(CANCELLED_REASONS)
        checked_in = closed = women = men = obstacle = note = None
        checked_in_by = None
        if v.status in (VisitStatus.DONE, VisitStatus.IN_PROGRESS):
            checked_in, checked_in_by = stamp(v.day, v.check_in), v.officers[0]
        if v.status == VisitStatus.DONE:
            closed = stamp(v.day, v.check_in + 30 + 9 * v.signups + rng.randrange(20, 90))
            women = rng.randrange(6, 40)
            men = max(rng.randrange(8, 45), v.signups - women)
            if rng.random() < 0.25:
                obstacle = rng.choice(obstacles)
                note = OBSTACLE_NOTES[obstacle]
            elif rng.random() < 0.4:
                note = rng.choice(NOTES)
        yield (v.id, v.campaign_id, v.branch_id, v.village_code, day_text(v.day), clock_text(v.hour),
               rng.choice(activities), v.planned_cost, v.status, reason, v.coordinator_id,
               stamp(v.day - 10, 60), checked_in, checked_in_by, closed, women, men,
               obstacle.value if obstacle else None, note)


def assignment_rows(visits: list[PlannedVisit]):
    """Each visit's officers, assigned by the campaign's coordinator when the visit was planned."""
    for v in visits:
        assigned = stamp(v.day - 10, 60)
        for officer in v.officers:
            yield v.id, officer, assigned, v.coordinator_id

