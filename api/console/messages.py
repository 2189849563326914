"""A refusal, told to a person in their language.

The domain and the application name each rule with a stable id (``rule``) and explain it in
English for the API; the console shows the rule's message from the catalogue instead, and the
English explanation only for a rule it has no words for.
"""

from __future__ import annotations

from api.console.labels import N_
from api.console.locales import translator

RULES: dict[str, str] = {
    "value-required": N_("Enter a value."),
    "invalid-value": N_("This value is not valid."),
    "legal-identifier-invalid": N_(
        "Enter a valid SIREN (9 digits) or RNA number (W followed by 9 digits)."
    ),
    "territory-invalid": N_("Enter a French department code, like 67 or 2A."),
    "date-not-in-future": N_("The date cannot be in the future."),
    "date-not-before-opening": N_("The date cannot be before the partnership was opened."),
    "milestone-not-before-predecessor": N_(
        "The date cannot be before the milestone this one follows."
    ),
    "contract-end-not-before-start": N_("The contract cannot end before it starts."),
    "amount-not-negative": N_("An amount cannot be negative."),
    "category-valid": N_("Choose a category."),
    "satisfaction-between-1-and-5": N_("Satisfaction is a whole number from 1 to 5."),
    "renewal-extends-contract": N_("A renewal must end after the current end of the contract."),
    "correction-changes-something": N_("The correction changes nothing."),
    "field-correctable": N_("This field cannot be corrected."),
    "lifecycle": N_("This step is not possible at this stage."),
    "no-skipped-stage": N_("This step is not possible at this stage."),
    "nothing-after-abandonment": N_("The partnership was abandoned: nothing can follow."),
    "abandonment-before-contract": N_("A partnership can only be abandoned before a contract."),
    "partners-are-one-association-and-one-company": N_(
        "A partnership joins one association and one company."
    ),
    "organization-not-archived": N_("This organisation is archived."),
    "not-found": N_("Nothing was found with this reference."),
    "expected-version": N_("Someone else recorded a change meanwhile."),
    "concurrent-write": N_("Someone else recorded a change meanwhile."),
    "email-valid": N_("Enter an e-mail address, like name@example.org."),
    "account-email-valid": N_("Enter an e-mail address, like name@example.org."),
    "password-strength": N_("A password has at least 12 characters and is not the e-mail."),
    "password-link-valid": N_("This link is unknown, has expired or was already used."),
    "sign-in": N_("The e-mail address or the password is wrong."),
    "sign-in-locked": N_(
        "Too many failed sign-ins: this account is locked for 15 minutes. Try again later."
    ),
    "account-unique": N_("An account with this e-mail address already exists."),
    "role-changes": N_("The account already has this role."),
    "account-enabled": N_("This account is disabled."),
    "date-format": N_("Enter a date, like 15/12/2026."),
    "number-format": N_("Enter a number, like 1 234,56."),
    "store-unavailable": N_("The service cannot reach its database. Try again in a moment."),
    "participant-registered": N_("This organisation is not registered for this session."),
    "plan-fixed-once-under-way": N_(
        "Outcomes are already recorded: the plan can no longer change."
    ),
    "facts-after-session-date": N_("This can only be recorded from the day of the session on."),
    "schedule-generated-first": N_("Generate the schedule first."),
    "catch-up-has-pairs": N_("No meeting is marked as not held: there is nothing to catch up."),
    "catch-up-plan-exists": N_("There is no catch-up to withdraw."),
    "catch-up-withdrawn-before-held": N_(
        "A meeting of the catch-up was already held: it can no longer be withdrawn."
    ),
}


def explain(rule: str, english: str, locale: str) -> str:
    """The person's words for a refusal (the API's English if the rule has none)."""
    message = RULES.get(rule)
    return translator(locale)(message) if message else english
