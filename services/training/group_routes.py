"""Project-group routes: create a group, record its assessment, read it."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response

from services.training import catalogue, groups, model
from services.training.handlers import Stores
from shared import apikeys, web
from shared.fields import Identifier


def build(*, auth: web.Auth, stores: Stores) -> APIRouter:  # noqa: C901 - a route table
    """Writes need an integrator key with scope `groups` (or admin); reading a group needs a reader key."""
    router = APIRouter(tags=["groups"])
    Grouper = Annotated[apikeys.ApiKey, Depends(auth.require("integrator", "groups"))]
    Reader = Annotated[apikeys.ApiKey, Depends(auth.require("reader"))]

    async def shown(group_id: str) -> dict[str, Any]:
        doc = await stores.groups.get(group_id)
        if doc is None:
            raise HTTPException(404, "no such group")
        return groups.view(doc)

    @router.post(
        "/groups",
        status_code=201,
        responses={200: {"description": "the same group existed"}, 404: {}, 409: {}, 422: {}},
    )
    async def create_group(group: model.ProjectGroup, _: Grouper, response: Response) -> dict[str, Any]:
        try:
            created = await groups.create(group, stores=stores)
        except catalogue.UnknownProgramError:
            raise HTTPException(404, "no such programme") from None
        except groups.NotProjectBasedError:
            problem = {
                "loc": ["body", "program_id"],
                "msg": "not a project_based programme",
                "type": "value_error",
            }
            raise HTTPException(422, [problem]) from None
        except groups.GroupConflictError:
            raise HTTPException(409, "another group has this group_id") from None
        if not created:
            response.status_code = 200
        return await shown(group.group_id)

    @router.get("/groups/{group_id}", responses={404: {}})
    async def get_group(group_id: Identifier, _: Reader) -> dict[str, Any]:
        return await shown(group_id)

    @router.post("/groups/{group_id}/assessment", status_code=202, responses={404: {}, 409: {}})
    async def assess(group_id: Identifier, assessment: model.Assessment, _: Grouper) -> dict[str, Any]:
        """One TrainingCompleted per member, ids derived from (group, member): a retry publishes no more."""
        try:
            ids = await groups.assess(group_id, assessment, stores=stores)
        except LookupError:
            raise HTTPException(404, "no such group or programme") from None
        except groups.GroupConflictError:
            raise HTTPException(409, "the group was assessed with another result") from None
        return {"group_id": group_id, "completions": ids}

    return router
