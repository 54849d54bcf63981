from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from membumi.demo.world import DEMO_PASSWORD, DemoWorldError, build


class Command(BaseCommand):
    help = (
        "Load the demo world: Provinsi NTB, Kabupaten Lombok Timur, Kota Mataram, the "
        "provincial BPSDM, their employees and the demo accounts. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even though MEMBUMI_DEMO is off (never on a production database)",
        )

    def handle(self, *args, **options):
        if not (settings.MEMBUMI_DEMO or options["force"]):
            raise CommandError(
                "Refusing to load the demo world: MEMBUMI_DEMO is off. The demo creates "
                f"accounts whose password ({DEMO_PASSWORD}) is public, so it must never reach "
                "a production database. Set MEMBUMI_DEMO=1 (`membumi demo` does) or pass "
                "--force on a database you can throw away."
            )
        try:
            build(stdout=self.stdout)
        except DemoWorldError as exc:
            raise CommandError(str(exc)) from exc
