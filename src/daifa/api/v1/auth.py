from __future__ import annotations

from fastapi import Depends, Response
from pydantic import BaseModel

from daifa.api.deps import Call, public_writer, writer
from daifa.api.deps import reader as reader_dep
from daifa.api.guard import guarded_router
from daifa.identity import service as identity
from daifa.identity.schemas import AccountOut, SignupIn, TokenIn, TokenOut
from daifa.shops import service as shops
from daifa.shops.schemas import ShopOut
from daifa.suppliers import service as suppliers
from daifa.suppliers.schemas import SupplierOut

router = guarded_router(prefix="/auth", tags=["accounts"])


class Me(BaseModel):
    account: AccountOut
    shops: list[ShopOut]
    suppliers: list[SupplierOut]


@router.post("/signup", status_code=201, response_model=AccountOut)
def signup(body: SignupIn, call: Call = Depends(public_writer)) -> AccountOut:
    with call.ctx(anonymous=True) as ctx:
        account = identity.signup(ctx, body.login, body.password, body.display_name)
        return AccountOut.model_validate(account)


@router.post("/token", response_model=TokenOut)
def token(body: TokenIn, call: Call = Depends(public_writer)) -> TokenOut:
    with call.ctx(anonymous=True) as ctx:
        record, secret = identity.sign_in(ctx, body.login, body.password)
        return TokenOut(access_token=secret, expires_at=record.expires_at)


@router.delete("/token", status_code=204)
def sign_out(call: Call = Depends(writer)) -> Response:
    with call.ctx() as ctx:
        assert call.token is not None
        identity.require_person(ctx)
        identity.sign_out(ctx.session, call.token, call.hub.clock)
    return Response(status_code=204)


@router.get("/me", response_model=Me)
def me(call: Call = Depends(reader_dep)) -> Me:
    with call.ctx() as ctx:
        assert ctx.actor.account_id is not None
        account = identity.get_account(ctx, ctx.actor.account_id)
        return Me(account=AccountOut.model_validate(account),
                  shops=[ShopOut.model_validate(s) for s in shops.mine(ctx)],
                  suppliers=[suppliers.to_private(s) for s in suppliers.mine(ctx)])
