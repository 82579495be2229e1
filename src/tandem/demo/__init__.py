"""The demo company: a realistic trading firm in zh-CN with three years of
history up to today, for trying Tandem out and for screenshots.

`company` generates it as exchange-format rows (deterministic for a seed and
a "today"; also the benchmark's generator); `load` brings it in through the
importer and the domains' writers and runs the commissions.
"""

from .company import CATEGORIES, DemoCompany, build_company, generate, iter_orders, write_files
from .load import DEMO_LOGINS, DEMO_PASSWORD, DemoSummary, demo_load, demo_logins_present

__all__ = [
    "CATEGORIES",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DemoCompany",
    "DemoSummary",
    "build_company",
    "demo_load",
    "demo_logins_present",
    "generate",
    "iter_orders",
    "write_files",
]
