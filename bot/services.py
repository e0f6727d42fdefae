"""What handlers and jobs share, and the typed context that carries it to them.

The application keeps one `Services` under `bot_data[KEY]`; this module is the only reader.
Handlers and jobs receive a `Context` (registered through PTB's `ContextTypes` when the
application is built) and reach the services as `context.services`; code that holds the
application, not a context (the tick, the demo), calls `of(app)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.outbox_sender import Sender
from bot.render import Renderer
from bot.settings import Settings
from domain.channel import Schedule
from domain.models import Person
from domain.office import Office
from domain.policy import Rules
from domain.workdays import Hours

KEY = "services"


@dataclass
class Services:
    """The office, how to write and when to speak; the sender joins once the bot runs."""

    office: Office
    render: Renderer
    settings: Settings
    rules: Rules = field(default_factory=Rules)
    hours: Hours = field(default_factory=Hours)
    schedule: Schedule = field(default_factory=Schedule)
    sender: Sender | None = None

    def wake_sender(self) -> None:
        """New outbox rows should go now, not at the sender's next idle check."""
        if self.sender is not None:
            self.sender.wake()


def of(app: Application[Any, Any, Any, Any, Any, Any]) -> Services:
    """The services an application was built with."""
    services: Services = app.bot_data[KEY]
    return services


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with the services at hand: `context.services.office`."""

    person: Person | None = None  # who sent the update, once handlers.common.person_of asked
    person_known: bool = False
    form_moved: bool = False  # a conversation (handlers.common.Form) handled the update

    @property
    def services(self) -> Services:
        return of(self.application)
