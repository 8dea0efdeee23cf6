"""Project-group routes: create a group, record its assessment, read it."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from services.training.handlers import groups
from services.training.model import views
from services.training.model.groups import ProjectGroup
from services.training.model.programmes import Assessment
from services.training.repository import Repositories
from shared import web
from shared.contract.fields import Identifier
from shared.web import apikeys


class Completions(BaseModel):
    group_id: str
    completions: list[str]


def build(*, auth: web.Auth, repos: Repositories) -> APIRouter:
    """Writes need an integrator key with scope `groups` (or admin); reading a group needs a reader key."""
    router = APIRouter(tags=["groups"])
    Grouper = Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "groups"))]
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]

    @router.post(
        "/groups",
        status_code=201,
        responses={200: {"description": "the same group existed"}, 404: {}, 409: {}, 422: {}},
    )
    async def create_group(group: ProjectGroup, _: Grouper, response: Response) -> dict[str, Any]:
        state, created = await groups.create_group(group, repos=repos)
        if not created:
            response.status_code = 200
        return views.group(state)

    @router.get("/groups/{group_id}", responses={404: {}})
    async def get_group(group_id: Identifier, _: Reader) -> dict[str, Any]:
        return views.group(await groups.shown(group_id, repos=repos))

    @router.post("/groups/{group_id}/assessment", status_code=202, responses={404: {}, 409: {}})
    async def assess(group_id: Identifier, assessment: Assessment, _: Grouper) -> Completions:
        """One TrainingCompleted per member, ids derived from (group, member): a retry publishes no more."""
        ids = await groups.assess(group_id, assessment, repos=repos)
        return Completions(group_id=group_id, completions=ids)

    return router
