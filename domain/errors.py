"""Domain errors: one type per rule, each naming the rule it enforces.

``rule`` is a stable, kebab-case identifier that the API exposes; ``field`` names the input at
fault when one is. ``InvalidValue`` subclasses are bad input (the API answers 422);
``LifecycleViolation`` subclasses are illegal moves given the recorded history (409).
"""

from __future__ import annotations


class DomainError(Exception):
    rule: str = "domain-rule"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidValue(DomainError):
    rule = "invalid-value"


class RequiredValueMissing(InvalidValue):
    rule = "value-required"


class InvalidLegalIdentifier(InvalidValue):
    rule = "legal-identifier-invalid"


class InvalidTerritory(InvalidValue):
    rule = "territory-invalid"


class DateInFuture(InvalidValue):
    rule = "date-not-in-future"


class DateBeforeOpening(InvalidValue):
    rule = "date-not-before-opening"


class ContractEndsBeforeStart(InvalidValue):
    rule = "contract-end-not-before-start"


class NegativeAmount(InvalidValue):
    rule = "amount-not-negative"


class InvalidCategory(InvalidValue):
    rule = "category-valid"


class SatisfactionOutOfRange(InvalidValue):
    rule = "satisfaction-between-1-and-5"


class MilestoneBeforePredecessor(InvalidValue):
    """A milestone dated before the milestone it follows (co-construction before its idea,
    a contract before co-construction, an evaluation or renewal before the signature...)."""

    rule = "milestone-not-before-predecessor"


class RenewalMustExtend(InvalidValue):
    rule = "renewal-extends-contract"


class NothingToCorrect(InvalidValue):
    rule = "correction-changes-something"


class FieldNotCorrectable(InvalidValue):
    rule = "field-correctable"


class LifecycleViolation(DomainError):
    rule = "lifecycle"


class PartnerKindMismatch(LifecycleViolation):
    rule = "partners-are-one-association-and-one-company"


class OrganizationArchived(LifecycleViolation):
    rule = "organization-not-archived"


class StageSkipped(LifecycleViolation):
    rule = "no-skipped-stage"


class PartnershipAbandoned(LifecycleViolation):
    rule = "nothing-after-abandonment"


class AbandonmentAfterContract(LifecycleViolation):
    rule = "abandonment-before-contract"


class DuplicateIdea(LifecycleViolation):
    rule = "idea-id-unique"


class UnknownIdea(LifecycleViolation):
    rule = "idea-exists"


class CoConstructionAlreadyStarted(LifecycleViolation):
    rule = "one-co-construction"


class ContractAlreadySigned(LifecycleViolation):
    rule = "one-contract-renewals-extend-it"


class UnknownMilestone(LifecycleViolation):
    rule = "corrected-milestone-exists"


class AlreadyAssigned(LifecycleViolation):
    rule = "assignment-changes-staff"
