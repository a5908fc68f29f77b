from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from demo.borough.generator import AlreadyGeneratedError, PartnershipMissingError, generate
from demo.borough.scales import DEFAULT_SEED, SCALES
from people.models import Person


class _Unterminated:
    """Lets the progress bar write partial lines through Django's output wrapper."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out

    def write(self, text: str, /) -> None:
        self.out.write(text, ending="")
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()


class Command(BaseCommand):
    help = (
        "Generate a deterministic, entirely fictional borough of young people, places, links "
        "and events on top of the demo partnership (run demo_setup first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="demo",
            help="tiny (tests), demo (a few hundred people) or county (100,000 people)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="same seed, same borough"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # Invented people must never land in a live case load.
            raise CommandError("generate_borough does not run in production mode.")
        if Person.objects.exists():
            self.stdout.write("The borough is already generated; nothing to do.")
            return
        try:
            summary = generate(options["scale"], options["seed"], _Unterminated(self.stdout))
        except PartnershipMissingError as error:
            raise CommandError("Run demo_setup first: the demo partnership is missing.") from error
        except AlreadyGeneratedError:
            self.stdout.write("The borough is already generated; nothing to do.")
            return
        self.stdout.write(summary.to_json())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated the {summary.scale} borough (seed {summary.seed}) "
                f"in {summary.seconds:.0f}s."
            )
        )
