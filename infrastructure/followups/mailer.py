"""The weekly follow-up digest, sent through SMTP (``smtplib``; server from the settings)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from application.followups.service import DigestMail
from infrastructure.settings import Settings


class SmtpMailer:
    """Implements ``application.followups.service.Mailer``: one message per staff member."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def address_of(self, staff: str) -> str | None:
        if "@" in staff:
            return staff
        domain = self.settings.staff_mail_domain
        return f"{staff}@{domain}" if domain else None

    def send(self, mail: DigestMail) -> None:
        to = self.address_of(mail.staff)
        if to is None:
            raise ValueError(f"no address for {mail.staff!r}: set PARTNERLAB_STAFF_MAIL_DOMAIN")
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = to
        message["Subject"] = (
            f"Partnerlab {mail.lab}: {len(mail.items)} follow-up(s), week {mail.week}"
        )
        lines = [f"Hello {mail.staff}, here is what needs doing ({mail.week}):", ""]
        lines += [
            f"- {i.due_on.isoformat()} [{i.kind}] {i.title} ({i.subject_type} {i.subject_id})"
            for i in mail.items
        ]
        message.set_content("\n".join(lines) + "\n")
        s = self.settings
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                smtp.login(s.smtp_user, password)
            smtp.send_message(message)
