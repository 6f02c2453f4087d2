"""Library services on real SQLite and Chroma: sharing, visibility, search, review."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from chromadb.api.client import SharedSystemClient

from app.bootstrap import Services, build_services
from app.services.errors import InvalidInput, NotFound, PermissionDenied
from app.services.library import ImportItem, ShareRequest
from app.services.principal import Principal, Role
from app.settings import Settings
from retrieval.hashing import HashingEmbedder
from tests.builders import make_user
from tests.support.backends import POSTGRES, backend_settings

SCENARIO = "workload-delegation"
LINES = [
    "What would you like to get out of our conversation today?",
    "It sounds like you're carrying the whole team on your back and it's wearing you down.",
]


@dataclass
class World:
    services: Services
    author: Principal
    peer: Principal
    outsider: Principal
    facilitator: Principal


@pytest.fixture(params=["sqlite", POSTGRES, pytest.param("chroma-server", marks=pytest.mark.slow)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """The library on SQLite and on PostgreSQL with on-disk Chroma, and on a Chroma server."""
    yield from backend_settings(request, tmp_path)


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    """Hashing embeddings (fast); author and peer share a cohort, the outsider is elsewhere."""
    services = build_services(settings, embedder=HashingEmbedder())
    services.prepare()
    author = make_user(services, "lee", Role.LEARNER)
    peer = make_user(services, "pat", Role.PEER, Role.LEARNER)
    outsider = make_user(services, "oz", Role.PEER, Role.LEARNER)
    facilitator = make_user(services, "fran", Role.FACILITATOR)
    services.curation.ensure_cohort(Principal.system(), "Spring", ["lee", "pat", "fran"])
    services.curation.ensure_cohort(Principal.system(), "Autumn", ["oz"])
    yield World(services, author, peer, outsider, facilitator)
    services.close()


def _session(world: World, lines: list[str] = LINES) -> int:
    practice = world.services.practice
    view = practice.start(world.author, SCENARIO, seed=3)
    for line in lines:
        view = practice.send(world.author, view.id, line)
    practice.end(world.author, view.id)
    return view.id


def _share(world: World, **changes: object) -> int:
    session_id = _session(world)
    request = ShareRequest(session_id, 1, 2, note="Reflection that landed", consent=True)
    return world.services.library.share(world.author, _replace(request, changes)).id


def _replace(request: ShareRequest, changes: dict[str, object]) -> ShareRequest:
    from dataclasses import replace

    return replace(request, **changes)  # type: ignore[arg-type]


def test_preview_is_exactly_what_is_published(world: World) -> None:
    session_id = _session(world, ["Hi, I'm Lee. My manager Priya asked me to mail priya@acme.com."])
    library = world.services.library
    preview = library.preview(world.author, session_id, 0, 2, "Call me on 07700 900123")
    coach = next(t for t in preview.turns if t.speaker == "coach")
    assert "priya" not in coach.text.casefold() and "[EMAIL]" in coach.text
    assert "[PHONE]" in preview.note
    assert {r.kind for r in preview.redactions} >= {"name", "email", "phone"}
    with pytest.raises(InvalidInput, match="consent"):
        library.share(world.author, ShareRequest(session_id, 0, 2, note="Call me on 07700 900123"))
    shared = library.share(
        world.author,
        ShareRequest(session_id, 0, 2, note="Call me on 07700 900123", consent=True),
    )
    assert shared.turns == preview.turns and shared.note == preview.note
    assert shared.author == "Anonymous"


def test_facilitator_terms_are_redacted(world: World) -> None:
    world.services.curation.add_redaction_term(world.facilitator, "Globex")
    session_id = _session(world, ["How is the Globex rollout affecting you?"])
    preview = world.services.library.preview(world.author, session_id, 1, 1)
    assert preview.turns[0].text == "How is the [REDACTED] rollout affecting you?"
    with pytest.raises(PermissionDenied):
        world.services.curation.add_redaction_term(world.peer, "Initech")


def test_only_the_owner_can_share_a_session(world: World) -> None:
    session_id = _session(world)
    with pytest.raises(NotFound):
        world.services.library.preview(world.peer, session_id, 0, 1)
    with pytest.raises(PermissionDenied):
        world.services.library.preview(world.facilitator, session_id, 0, 1)


def test_cohort_items_stay_inside_the_cohort(world: World) -> None:
    item = _share(world, visibility="cohort", show_name=True)
    library = world.services.library
    assert [v.id for v in library.search(world.peer, "carrying the team")] == [item]
    assert library.get(world.peer, item).author == "lee"
    assert library.search(world.outsider, "carrying the team") == []
    assert library.search(world.outsider, "") == []
    with pytest.raises(NotFound):
        library.get(world.outsider, item)
    with pytest.raises(NotFound):
        world.services.reviews.comment(world.outsider, item, "nice")
    community = _share(world, visibility="community")
    assert [v.id for v in library.search(world.outsider, "carrying the team")] == [community]


def test_the_service_rechecks_what_the_index_returns(world: World) -> None:
    item = _share(world, visibility="cohort")
    hybrid = world.services.library.index.hybrid
    # corrupt the derived index: pretend the item is public
    from retrieval.hybrid import Doc

    hybrid.add([Doc(key=item, text="carrying the team", scope=0)])
    assert world.services.library.search(world.outsider, "carrying the team") == []


def test_hidden_items_vanish_at_once_and_come_back(world: World) -> None:
    item = _share(world, visibility="community")
    services = world.services
    services.reviews.flag(world.outsider, item, "names a real colleague")
    queue = services.curation.moderation_queue(world.facilitator)
    assert [(q.exchange.id, q.reasons) for q in queue] == [(item, ("names a real colleague",))]
    services.curation.set_hidden(world.facilitator, item, True)
    assert services.library.search(world.peer, "carrying the team") == []
    assert services.curation.moderation_queue(world.facilitator) == []
    assert services.library.my_shares(world.author)[0].status == "hidden"
    services.curation.set_hidden(world.facilitator, item, False)
    assert [v.id for v in services.library.search(world.peer, "carrying the team")] == [item]
    with pytest.raises(PermissionDenied):
        services.curation.set_hidden(world.peer, item, True)


def test_comments_votes_ratings_and_notifications(world: World) -> None:
    item = _share(world)
    reviews = world.services.reviews
    first = reviews.comment(world.peer, item, "That reflection really landed.")
    reply = reviews.comment(world.author, item, "Thanks! It felt risky.", parent_id=first.id)
    assert reply.depth == 1
    notes = reviews.notifications(world.author, unread_only=True)
    assert [n.kind for n in notes] == ["comment"] and "landed" in notes[0].text
    assert [n.kind for n in reviews.notifications(world.peer)] == ["reply"]
    assert reviews.mark_read(world.author) == 1
    assert reviews.notifications(world.author, unread_only=True) == []

    assert reviews.toggle_helpful(world.peer, item) is True
    with pytest.raises(InvalidInput):
        reviews.toggle_helpful(world.author, item)
    detail = reviews.detail(world.peer, item)
    assert detail.voted and detail.exchange.helpful == 1
    assert [c.depth for c in detail.comments] == [0, 1]

    criteria = [c.id for c in detail.criteria]
    assert reviews.rate(world.peer, item, {criteria[0]: 4, criteria[1]: 5}) == 4.5
    with pytest.raises(InvalidInput):
        reviews.rate(world.peer, item, {"made-up": 3})
    with pytest.raises(PermissionDenied):
        reviews.rate(world.author, item, {criteria[0]: 5})  # learners do not rate
    assert world.services.library.search(world.peer, "", min_rating=4.5)[0].id == item
    assert world.services.library.search(world.peer, "", min_rating=4.6) == []


def test_review_queue_puts_transcripts_first_and_skips_rated(world: World) -> None:
    exchange = _share(world)
    session_id = _session(world)
    transcript = world.services.library.share(
        world.author, ShareRequest(session_id, 0, 4, note="Please review", consent=True)
    ).id
    reviews = world.services.reviews
    queue = reviews.queue(world.peer)
    assert [v.id for v in queue] == [transcript, exchange]
    assert queue[0].kind == "transcript"
    reviews.rate(world.peer, transcript, {reviews.criteria()[0].id: 3})
    assert [v.id for v in reviews.queue(world.peer)] == [exchange]
    assert reviews.queue(world.outsider) == []


def test_unpublish_removes_everything(world: World) -> None:
    item = _share(world, visibility="community")
    world.services.reviews.comment(world.peer, item, "good")
    with pytest.raises(NotFound):
        world.services.library.unpublish(world.peer, item)
    world.services.library.unpublish(world.author, item)
    assert world.services.library.search(world.peer, "carrying the team") == []
    assert world.services.library.my_shares(world.author) == []


def test_filters_sorting_and_more_like_this(world: World) -> None:
    library = world.services.library
    ids = library.import_exchanges(
        world.author,
        [
            ImportItem(
                "So you feel torn between loyalty and ambition.",
                "I don't know.",
                scenario="career-change",
                visibility="community",
            ),
            ImportItem(
                "What would make Monday feel different?",
                "Less email.",
                scenario="peer-conflict",
                visibility="community",
            ),
            ImportItem("What options do you see?", "Maybe delegate.", scenario="peer-conflict"),
        ],
    )
    assert [v.id for v in library.search(world.peer, "", scenario="peer-conflict")] == [
        ids[2],
        ids[1],
    ]
    questions = library.search(world.peer, "", technique="question_open")
    assert {v.id for v in questions} == {ids[1], ids[2]}
    world.services.reviews.toggle_helpful(world.peer, ids[1])
    assert library.search(world.peer, "", sort="helpful")[0].id == ids[1]
    assert ids[0] not in [v.id for v in library.more_like_this(world.peer, ids[0])]
    assert library.search(world.outsider, "options delegate") != []  # community item
    assert ids[2] not in [v.id for v in library.search(world.outsider, "options delegate")]


def test_exact_phrase_and_exemplars(world: World) -> None:
    library = world.services.library
    ids = library.import_exchanges(
        world.author,
        [
            ImportItem(f"What options do you see for week {n}?", "Fine.", visibility="community")
            for n in range(30)
        ]
        + [
            ImportItem(
                "It sounds like the purple elephant in the room is your budget.",
                "Yes, exactly.",
                visibility="community",
            )
        ],
    )
    hits = library.search(world.peer, '"purple elephant in the room"')
    assert [v.id for v in hits] == [ids[-1]]
    world.services.curation.set_featured(world.facilitator, ids[3], True)
    examples = library.exemplars(world.peer, "question_open", limit=2)
    assert examples[0].id == ids[3] and len(examples) == 2


def test_search_survives_a_deleted_chroma_folder(world: World, settings: Settings) -> None:
    if settings.chroma_host:
        pytest.skip("the on-disk index only: a server keeps its own folder")
    item = _share(world, visibility="community")
    world.services.close()
    shutil.rmtree(settings.chroma_path)
    SharedSystemClient.clear_system_cache()  # what a new process would see
    fresh = build_services(settings, embedder=HashingEmbedder())
    try:
        hits = fresh.library.search(world.peer, "carrying the whole team")
        assert [v.id for v in hits] == [item]
        assert fresh.library.index.missing_vectors == 1
        assert fresh.library.reindex(Principal.system()) == 1
        assert fresh.library.index.hybrid.vector(item) is not None
        with pytest.raises(PermissionDenied):
            fresh.library.reindex(world.facilitator)
    finally:
        fresh.close()


def test_a_new_process_sees_items_stored_by_another(world: World, settings: Settings) -> None:
    other = build_services(settings, embedder=HashingEmbedder())
    try:
        assert other.library.search(world.peer, "carrying") == []
        item = _share(world, visibility="community")
        assert [v.id for v in other.library.search(world.peer, "carrying")] == [item]
        assert other.library.index.hybrid.vector(item) is not None  # read back from Chroma
    finally:
        other.close()


def test_collections_show_only_visible_items(world: World) -> None:
    cohort_item = _share(world, visibility="cohort")
    curation = world.services.curation
    coll = curation.create_collection(world.facilitator, "Great complex reflections")
    curation.add_to_collection(world.facilitator, coll, cohort_item)
    assert [v.id for v in curation.collections(world.peer)[0].items] == [cohort_item]
    assert curation.collections(world.outsider)[0].items == ()
    with pytest.raises(PermissionDenied):
        curation.create_collection(world.peer, "Mine")


def test_deleting_a_session_drops_its_shared_items_from_the_vector_index(
    world: World, settings: Settings
) -> None:
    session_id = _session(world)
    request = ShareRequest(session_id, 1, 2, note="Reflection that landed", consent=True)
    item = world.services.library.share(world.author, _replace(request, {})).id
    index = world.services.library.index
    store = index._vector_store()
    assert store is not None and set(store.get_embeddings([str(item)])) == {str(item)}
    world.services.practice.delete(world.author, session_id)
    assert store.get_embeddings([str(item)]) == {}
    assert index.hybrid.vector(item) is None
    if not settings.chroma_host:  # the text is gone from Chroma's database, not only hidden
        world.services.close()
        for path in Path(settings.chroma_path).glob("chroma.sqlite3*"):
            assert b"carrying the whole team" not in path.read_bytes(), path


def test_an_excerpt_redacts_names_the_coach_and_client_mention(world: World) -> None:
    lines = ["Did Leah and Priyanka both agree to the plan, or only your manager?"]
    session_id = _session(world, lines)
    preview = world.services.library.preview(world.author, session_id, 1, 1)
    assert preview.turns[0].text == (
        "Did [NAME] and [NAME] both agree to the plan, or only your manager?"
    )
    assert {r.original for r in preview.redactions} == {"Leah", "Priyanka"}


def test_a_new_redaction_term_applies_to_items_already_published(world: World) -> None:
    session_id = _session(world, ["How is the falcon rollout affecting you?"])
    request = ShareRequest(session_id, 1, 1, note="falcon context", consent=True)
    item = world.services.library.share(world.author, _replace(request, {})).id
    hidden_request = _replace(request, {"note": "Also falcon"})
    hidden = world.services.library.share(world.author, hidden_request).id
    world.services.curation.set_hidden(world.facilitator, hidden, True)
    assert world.services.curation.add_redaction_term(world.facilitator, "Falcon") == 2
    view = world.services.library.get(world.author, item)
    assert view.coach == "How is the [REDACTED] rollout affecting you?"
    assert view.note == "[REDACTED] context"
    store = world.services.library.index._vector_store()
    collection = store._collection  # type: ignore[union-attr]
    documents = collection.get(ids=[str(item), str(hidden)], include=["documents"])["documents"]
    assert len(documents) == 2 and not any("falcon" in d.casefold() for d in documents)
    hits = world.services.library.search(world.peer, "falcon rollout")
    assert [v.id for v in hits] == [item] and "falcon" not in hits[0].coach  # hidden stays hidden
