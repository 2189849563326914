"""``partnerlab demo``: load the demonstration data set and show what the lab holds."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from application.context import Caller
from application.lab import PartnerLab
from application.partnerships.views import OrganizationFilter, PartnershipFilter
from application.results import PageRequest
from domain.values import OrganizationKind, Stage
from partnerlab.cli.app import EXIT_DATABASE, err, fail, open_database, out, runtime
from partnerlab.demo import DEMO_LAB
from partnerlab.progress import ProgressReport


def demo(
    lab: Annotated[
        str | None,
        typer.Option(
            help=f"Lab to load into (default: PARTNERLAB_DEFAULT_LAB, which is {DEMO_LAB!r}: "
            "the lab of the README's first key and of its dashboard)."
        ),
    ] = None,
    actor: Annotated[str, typer.Option(help="Who the events are recorded by.")] = "demo",
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the read models to catch up.")
    ] = 60.0,
) -> None:
    """Load the demonstration data set into a lab (once) and show what the lab now holds
    (creates the SQLite file if there is none)."""
    from partnerlab.demo import DemoDataError, load_demo

    settings = open_database(may_create=True)
    lab = lab or settings.default_lab
    with runtime(settings, run_projections=True) as built:
        try:
            with ProgressReport("loading the demo", err(), unit="records") as report:
                summary = load_demo(built.app, lab=lab, actor=actor, progress=report.update)
            caught_up = built.app.read_models.wait_for_projections(
                summary.last_position, timeout=timeout
            )
            caller = Caller(lab=lab, actor=actor)
            tables = summary_tables(built.app, caller) if caught_up else []
        except DemoDataError as error:
            fail(str(error), EXIT_DATABASE)
    console = out()
    console.print(summary.message, highlight=False)
    console.print(f"Lab {lab!r} in {settings.describe_database()}", highlight=False)
    if not caught_up:
        err().print(
            "[yellow]warning:[/] the read models are still catching up; "
            "run `partnerlab project --once` and list again.",
            highlight=False,
        )
        return
    for table in tables:
        console.print(table)


def summary_tables(app: PartnerLab, caller: Caller) -> list[Table]:
    """What the lab's catalogue holds: organisations by kind, partnerships by stage."""
    one = PageRequest(limit=1)
    organizations = Table(title="Organisations")
    organizations.add_column("kind")
    organizations.add_column("count", justify="right")
    total = 0
    for kind in OrganizationKind:
        count = app.organizations.list_organizations(
            caller, OrganizationFilter(kind=kind), one
        ).total
        total += count
        organizations.add_row(kind.value, str(count))
    organizations.add_section()
    organizations.add_row("total", str(total))

    partnerships = Table(title="Partnerships by stage reached")
    partnerships.add_column("stage")
    for column in ("open", "abandoned", "total"):
        partnerships.add_column(column, justify="right")
    sums = {"open": 0, "abandoned": 0}
    for stage in Stage:
        counts = {
            status: app.partnerships.list_partnerships(
                caller, PartnershipFilter(stage=stage, status=status), one
            ).total
            for status in sums
        }
        for status, count in counts.items():
            sums[status] += count
        partnerships.add_row(
            stage.value, str(counts["open"]), str(counts["abandoned"]), str(sum(counts.values()))
        )
    partnerships.add_section()
    partnerships.add_row(
        "total", str(sums["open"]), str(sums["abandoned"]), str(sum(sums.values()))
    )
    return [organizations, partnerships]
