"""What a member's client shows of a message beyond its text, caption and file.

A red team needs no file trick to leave a marking in the group: a topic named «TỐI MẬT», the
group's title or photo, a display name, a forward header naming a channel, a reply to another chat
quoting its file name, the buttons of an inline bot, a quiz's explanation — Telegram shows them all,
and none of them is the message's text. `read` gathers every such part (the text the gate already
reads, `gate.message_of`, is not repeated), the pictures shown (a chat photo, a document's
thumbnail, an external reply's photo), and what a service message changed, so the gate can judge
them and act on the change (rename the topic, restore the title, remove the photo).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram import (
    BackgroundType,
    BackgroundTypePattern,
    BackgroundTypeWallpaper,
    Chat,
    ExternalReplyInfo,
    Giveaway,
    GiveawayWinners,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    MessageOrigin,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    PhotoSize,
    Poll,
    Sticker,
    TelegramObject,
    User,
)


class Change(Enum):
    """What a service message changed in the group, each with its own remedy (see gate_actions)."""

    TOPIC_CREATED = "topic_name"  # a topic named: renamed (its first message cannot be deleted)
    TOPIC_EDITED = "topic_name_edited"  # a topic renamed: renamed again, the service message deleted
    TITLE = "chat_title"  # the group's title: the last good one restored
    PHOTO = "chat_photo"  # the group's photo: removed
    MEMBERS = "member_name"  # members joined: their names cannot be changed by a bot; officers told
    BACKGROUND = "chat_background"  # the chat's background: the Bot API cannot reset it; officers told
    PINNED = "pinned_message"  # a message pinned (shown over the chat): deleted, else unpinned


@dataclass(frozen=True)
class Seen:
    """The visible parts of one message the gate must judge besides its text and file."""

    names: tuple[str, ...] = ()  # who posted: display name, channel title, signature, tag
    texts: tuple[str, ...] = ()  # forward headers, external replies, keyboards, polls, service texts
    pictures: tuple[str, ...] = ()  # file ids of pictures shown (largest rendition)
    change: Change | None = None
    emoji: tuple[str, ...] = ()  # custom emoji shown (in a text, as a topic's icon): pictures known by id


    @property
    def text(self) -> str:
        return "\n".join(part for part in (*self.names, *self.texts) if part)

    @property
    def empty(self) -> bool:
        return not self.text and not self.pictures and not self.emoji

    @property
    def service(self) -> bool:
        """A service message: it shows nothing a member typed except what `change` says."""
        return self.change is not None


def typed(message: Message) -> tuple[str, ...]:
    """What a member typed into a message, as the gate's text (`gate.message_of`): its text or
    caption, a poll's question and options, a contact, a venue, a quote, a checklist, a game."""
    parts = [message.text or message.caption or ""]
    if message.poll is not None:
        parts += [message.poll.question, *(option.text for option in message.poll.options)]
    if message.contact is not None:
        parts += [message.contact.first_name, message.contact.last_name or "", message.contact.vcard or ""]
    if message.venue is not None:
        parts += [message.venue.title, message.venue.address]
    if message.quote is not None:  # a quote shows text from another message, perhaps of another chat
        parts.append(message.quote.text)
    if message.checklist is not None:
        parts += [message.checklist.title, *(task.text for task in message.checklist.tasks)]
    if message.game is not None:
        parts += [message.game.title, message.game.description, message.game.text or ""]
    return _kept(parts)


def read(message: Message) -> Seen:
    """Every visible part of `message` the gate's text does not carry."""
    names = [*_user_names(message.from_user), *_chat_names(message.sender_chat),
             message.author_signature or "", str(getattr(message, "sender_tag", None) or "")]
    if message.via_bot is not None:
        names += _user_names(message.via_bot)
    texts: list[str] = []
    pictures: list[str] = []
    if message.forward_origin is not None:
        texts += _origin(message.forward_origin)
    if message.external_reply is not None:
        texts += _external(message.external_reply, pictures)
    texts += _keyboard(message.reply_markup)
    shown, emoji = _entity_parts(message)
    texts += shown
    if message.poll is not None:  # its question and options are in the gate's text already
        texts += [message.poll.explanation or "", str(getattr(message.poll, "description", None) or "")]
        texts += _poll_media(message.poll, pictures)
    if message.game is not None:  # its title and texts are in the gate's text already; its picture is not
        texts += _media(message.game, pictures)
    if message.live_photo is not None:  # its still is what the chat shows (its caption is the gate's text)
        texts += _media(message, pictures, ("live_photo",))
    if message.web_app_data is not None:  # "Data from the button «…»"
        texts.append(message.web_app_data.button_text)
    texts.append(message.connected_website or "")  # "You allowed this bot … on «website»"
    if message.write_access_allowed is not None:  # "You allowed this bot … when you opened «web app»"
        texts.append(message.write_access_allowed.web_app_name or "")
    if message.invoice is not None:
        texts += [message.invoice.title, message.invoice.description]
    if message.giveaway is not None:
        texts += _giveaway(message.giveaway)
    if message.giveaway_winners is not None:
        texts += _winners(message.giveaway_winners)
    for story in (message.story, message.reply_to_story):  # "Story from …", "Reply to … 's story"
        if story is not None:
            texts += _chat_names(story.chat)
    if message.proximity_alert_triggered is not None:
        alert = message.proximity_alert_triggered
        texts += [*_user_names(alert.traveler), *_user_names(alert.watcher)]
    if message.gift is not None:  # a gift's card shows the sender's note
        texts.append(message.gift.text or "")
    if message.users_shared is not None:  # shared through a keyboard button: their names are shown
        texts += [part for user in message.users_shared.users
                  for part in (" ".join(n for n in (user.first_name, user.last_name) if n), user.username or "")]
        pictures += (_largest(user.photo) for user in message.users_shared.users if user.photo)
    if message.chat_shared is not None:
        texts += [message.chat_shared.title or "", message.chat_shared.username or ""]
        if message.chat_shared.photo:  # shared with its photo when the button asked for it
            pictures.append(_largest(message.chat_shared.photo))
    added = message.checklist_tasks_added
    if added is not None:
        texts += [task.text for task in added.tasks]
    option = getattr(message, "poll_option_added", None)
    if option is not None:
        texts.append(str(getattr(option, "option_text", "") or ""))
    if message.document is not None and message.document.thumbnail is not None:
        pictures.append(message.document.thumbnail.file_id)
    change: Change | None = None
    if message.forum_topic_created is not None:
        texts.append(message.forum_topic_created.name)
        emoji.append(message.forum_topic_created.icon_custom_emoji_id or "")
        change = Change.TOPIC_CREATED
    elif message.forum_topic_edited is not None and (message.forum_topic_edited.name or
                                                     message.forum_topic_edited.icon_custom_emoji_id):
        texts.append(message.forum_topic_edited.name or "")
        emoji.append(message.forum_topic_edited.icon_custom_emoji_id or "")
        change = Change.TOPIC_EDITED
    elif message.new_chat_title:
        texts.append(message.new_chat_title)
        change = Change.TITLE
    elif message.new_chat_photo:
        pictures.append(_largest(message.new_chat_photo))
        change = Change.PHOTO
    elif message.new_chat_members:
        for member in message.new_chat_members:
            texts += _user_names(member)
        change = Change.MEMBERS
    elif message.chat_background_set is not None:
        texts += _background(message.chat_background_set.type, pictures)
        change = Change.BACKGROUND
    elif isinstance(message.pinned_message, Message) and not _own_pin(message, message.pinned_message):
        # the pin bar and "X pinned «…»" show its parts
        texts += _pinned(message.pinned_message, pictures)
        change = Change.PINNED
    elif _named_members(message):  # "X left", "X invited Y to the video chat", "X is the new owner"
        texts += _named_members(message)
        change = Change.MEMBERS
    return Seen(_kept(names), _kept(texts), tuple(pictures), change, tuple(dict.fromkeys(_kept(emoji))))


def _named_members(message: Message) -> list[str]:
    """Members a service message names besides who joined: one who left, those invited to a video
    chat, a group's new owner. A bot cannot rename them: the coordinators are told."""
    names = _user_names(message.left_chat_member)
    if message.video_chat_participants_invited is not None:
        for user in message.video_chat_participants_invited.users or ():
            names += _user_names(user)
    for owner in (message.chat_owner_changed, message.chat_owner_left):
        if owner is not None:
            names += _user_names(getattr(owner, "new_owner", None))
    return [name for name in names if name]


def _background(background: BackgroundType, pictures: list[str]) -> list[str]:
    """A chat background: a wallpaper (the image itself), a pattern (its preview: the pattern is a
    vector file the guard does not read), a theme's name. A plain fill shows nothing a member wrote."""
    if isinstance(background, BackgroundTypeWallpaper):
        pictures.append(background.document.file_id)
    elif isinstance(background, BackgroundTypePattern) and background.document.thumbnail is not None:
        pictures.append(background.document.thumbnail.file_id)
    return [str(getattr(background, "theme_name", None) or "")]


def _own_pin(message: Message, pinned: Message) -> bool:
    """A bot pinning its own message (this bot its consultation card): what it sent was judged as it
    went out. Another bot's message is seen by no bot, so a pin is the only time it is judged."""
    pinner, author = message.from_user, pinned.from_user
    return pinner is not None and author is not None and pinner.is_bot and pinner.id == author.id


def _pinned(pinned: Message, pictures: list[str]) -> list[str]:
    """A pinned message as the pin bar shows it: a message from before the bot joined was never
    judged. What was typed in it (`typed`), what `read` finds in it, its file's name and photo."""
    shown = read(pinned)
    pictures += shown.pictures
    if pinned.photo:
        pictures.append(_largest(pinned.photo))
    texts = [*typed(pinned), *shown.texts]
    if pinned.document is not None:
        texts.append(pinned.document.file_name or "")
    return texts


def _giveaway(giveaway: Giveaway) -> list[str]:
    """A giveaway's card: its prize and the channels one must join, by their titles."""
    return [giveaway.prize_description or "", *(name for chat in giveaway.chats for name in _chat_names(chat))]


def _winners(winners: GiveawayWinners) -> list[str]:
    """A giveaway's results: the prize, the channel that held it, and each winner by name."""
    return [winners.prize_description or "", *_chat_names(winners.chat),
            *(name for user in winners.winners for name in _user_names(user))]


def _kept(parts: Iterable[str]) -> tuple[str, ...]:
    return tuple(part for part in parts if part)


def _user_names(user: User | None) -> list[str]:
    if user is None:
        return []
    return [" ".join(name for name in (user.first_name, user.last_name) if name), user.username or ""]


def _chat_names(chat: Chat | None) -> list[str]:
    if chat is None:
        return []
    return [chat.title or "", chat.username or "",
            " ".join(name for name in (chat.first_name, chat.last_name) if name)]


def _origin(origin: MessageOrigin) -> list[str]:
    """A forward header (or an external reply's origin): whoever it names, and a signature."""
    if isinstance(origin, MessageOriginUser):
        return _user_names(origin.sender_user)
    if isinstance(origin, MessageOriginHiddenUser):
        return [origin.sender_user_name]
    if isinstance(origin, MessageOriginChat):
        return [*_chat_names(origin.sender_chat), origin.author_signature or ""]
    if isinstance(origin, MessageOriginChannel):
        return [*_chat_names(origin.chat), origin.author_signature or ""]
    return []


def _external(reply: ExternalReplyInfo, pictures: list[str]) -> list[str]:
    """A reply to a message of another chat shows that message's header and a preview of it."""
    texts = [*_origin(reply.origin), *_chat_names(reply.chat)]
    if reply.poll is not None:
        texts += _poll(reply.poll)
        texts += _poll_media(reply.poll, pictures)
    if reply.contact is not None:
        texts += [reply.contact.first_name, reply.contact.last_name or ""]
    if reply.venue is not None:
        texts += [reply.venue.title, reply.venue.address]
    if reply.invoice is not None:
        texts += [reply.invoice.title, reply.invoice.description]
    if reply.game is not None:
        texts += [reply.game.title, reply.game.description]
    if reply.giveaway is not None:
        texts += _giveaway(reply.giveaway)
    if reply.giveaway_winners is not None:
        texts += _winners(reply.giveaway_winners)
    if reply.story is not None:
        texts += _chat_names(reply.story.chat)
    if reply.checklist is not None:
        texts += [reply.checklist.title, *(task.text for task in reply.checklist.tasks)]
    texts += _media(reply, pictures)
    return texts


# Every media a preview shows (an external reply, a poll's or a game's picture): its name, title and
# performer as the card prints them, and its picture (a photo, a live photo's still, a thumbnail).
MEDIA_FIELDS = ("animation", "audio", "document", "live_photo", "photo", "sticker", "video", "video_note",
                "paid_media", "venue")


def _media(holder: object, pictures: list[str], fields: tuple[str, ...] = MEDIA_FIELDS) -> list[str]:
    """The visible parts of each media `holder` carries; its pictures go to `pictures`."""
    texts: list[str] = []
    for field in fields:
        media = getattr(holder, field, None)
        if not media:
            continue
        if field == "paid_media":  # a paid post's previews: photos, videos' thumbnails (a blurred one has none)
            for paid in media.paid_media:
                texts += _media(paid, pictures, ("photo", "video", "live_photo"))
            continue
        if field == "venue":
            texts += [media.title, media.address]
            continue
        if field == "photo":
            pictures.append(_largest(media))
            continue
        texts += [str(getattr(media, name, None) or "") for name in ("file_name", "performer", "title")]
        still = getattr(media, "photo", None)
        thumbnail = getattr(media, "thumbnail", None)
        if still:
            pictures.append(_largest(still))
        elif thumbnail is not None:
            pictures.append(thumbnail.file_id)
        elif field == "sticker" and not (media.is_animated or media.is_video):  # a still sticker is a picture
            pictures.append(media.file_id)
    return texts


def _poll_media(poll: Poll, pictures: list[str]) -> list[str]:
    """A poll's own picture, its explanation's and each option's."""
    texts: list[str] = []
    for media in (getattr(poll, "media", None), getattr(poll, "explanation_media", None),
                  *(getattr(option, "media", None) for option in poll.options)):
        if media is not None:
            texts += _media(media, pictures)
    return texts


# Entities whose visible part is not their text: a link's address (shown on tap and on hover), a code
# block's language (shown over the block). Read wherever an entity is, so a new field is not missed;
# so is a custom emoji (a picture) wherever one is drawn: in an entity, as a topic's or a button's icon.
EMOJI_KEYS = ("custom_emoji_id", "icon_custom_emoji_id")
NOT_REJUDGED = frozenset({"reply_to_message", "pinned_message"})  # messages judged on their own


def _entity_parts(message: Message) -> tuple[list[str], list[str]]:
    """The texts the entities show, and the custom emoji the message draws."""
    parts: list[str] = []
    emoji: list[str] = []
    stack: list[Any] = [message]
    while stack:
        item = stack.pop()
        if isinstance(item, (tuple, list)):
            stack += item
            continue
        if isinstance(item, MessageEntity):
            parts += [item.url or "", item.language or ""]
        if not isinstance(item, Sticker):  # a sticker is judged as a picture, or unread, by itself
            emoji += (str(getattr(item, key, None) or "") for key in EMOJI_KEYS)
        if isinstance(item, TelegramObject):
            stack += (value for name in _fields(type(item))
                      if isinstance(value := getattr(item, name, None), (TelegramObject, tuple, list)))
    return parts, emoji


_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    """The public fields of a Telegram type, but the messages judged on their own (kept per type)."""
    if kind not in _FIELDS:
        _FIELDS[kind] = tuple(sorted({name for klass in kind.__mro__ for name in getattr(klass, "__slots__", ())
                                      if not name.startswith("_") and name not in NOT_REJUDGED
                                      and name != "api_kwargs"}))
    return _FIELDS[kind]


def _poll(poll: Poll) -> list[str]:
    return [poll.question, *(option.text for option in poll.options), poll.explanation or "",
            str(getattr(poll, "description", None) or "")]


def _keyboard(markup: Any) -> Iterator[str]:
    """An inline keyboard's buttons (an inline bot's message carries one): their texts and links."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return
    for row in markup.inline_keyboard:
        for button in row:
            yield button.text
            yield button.url or ""
            if button.copy_text is not None:
                yield button.copy_text.text
            yield button.switch_inline_query or ""
            yield button.switch_inline_query_current_chat or ""
            for target in (button.web_app, button.login_url):
                yield target.url if target is not None else ""
            chosen = button.switch_inline_query_chosen_chat
            yield (chosen.query or "") if chosen is not None else ""


def _largest(sizes: Iterable[PhotoSize]) -> str:
    return max(sizes, key=lambda size: (size.width * size.height, size.file_size or 0)).file_id
