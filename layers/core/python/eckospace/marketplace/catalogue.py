"""The published catalogue a listing picks from: categories, conditions and currencies. Published
in the OpenAPI document as enums, so a client knows every value before it sends one."""

from __future__ import annotations

from typing import Literal, get_args

Category = Literal[
    "electronics",
    "computers",
    "phones",
    "home",
    "furniture",
    "garden",
    "fashion",
    "beauty",
    "sports",
    "toys",
    "books",
    "music",
    "vehicles",
    "tools",
    "pets",
    "other",
]
CATEGORIES: tuple[str, ...] = get_args(Category)
Condition = Literal["new", "like_new", "good", "fair", "for_parts"]
CONDITIONS: tuple[str, ...] = get_args(Condition)
# ISO 4217 codes in lower case, as Stripe writes them; prices are in each currency's minor unit
# (cents; a yen for JPY, which has none).
Currency = Literal["usd", "eur", "gbp", "chf", "cad", "aud", "jpy", "sek", "nok", "dkk", "pln", "inr", "brl", "mxn"]
CURRENCIES: tuple[str, ...] = get_args(Currency)
MAX_PRICE = 100_000_000_00  # a hundred million in major units: a bound, not a business rule

# Jobs: what kind of work, on what terms, paid per what.
JobCategory = Literal[
    "engineering",
    "data",
    "design",
    "product",
    "marketing",
    "sales",
    "customer_support",
    "operations",
    "finance",
    "people",
    "legal",
    "education",
    "healthcare",
    "hospitality",
    "retail",
    "logistics",
    "trades",
    "other",
]
JOB_CATEGORIES: tuple[str, ...] = get_args(JobCategory)
EmploymentType = Literal["full_time", "part_time", "contract", "temporary", "internship"]
EMPLOYMENT_TYPES: tuple[str, ...] = get_args(EmploymentType)
PayPeriod = Literal["hour", "month", "year"]
PAY_PERIODS: tuple[str, ...] = get_args(PayPeriod)
