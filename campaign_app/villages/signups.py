"""Sign-ups per village, for coverage and for "where next".

A village's sign-ups are the workers registered at its visits, whatever their status but void (a voided
sign-up was a mistake or a merged duplicate: nobody was enrolled). Counted in SQL, never row by row.
"""

from sqlalchemy import SQLColumnExpression, Subquery, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from campaign_app.extensions import db
from campaign_app.models import District, PaymentHistory, SignUp, SignUpStatus, Village


def live() -> ColumnElement[bool]:
    """The condition a sign-up that counts meets: it is not void."""
    return SignUp.status != SignUpStatus.VOID


def signups_in(village_code: SQLColumnExpression[str] | str) -> ColumnElement[int]:
    """The number of workers signed up in the village whose code is ``village_code``, as a scalar subquery.

    For one village (or a few): lists of many villages join ``signups_by_village`` instead.
    """
    return (
        select(func.count(SignUp.id))
        .where(SignUp.village_code == village_code, live())
        .scalar_subquery()
    )


def signups_by_village(*village_conditions: ColumnElement[bool],
                       lapsing: ColumnElement[bool] | None = None) -> Subquery:
    """Sign-ups per village as a subquery of (``village_code``, ``signups``), one row per village with any.

    ``village_conditions`` (on ``Village`` and ``District``) narrow the count to the villages a query
    shows, so that it never counts the whole country's sign-ups for one district's page. With ``lapsing`` (a
    condition on the sign-up and its payment history: ``villages.lapsing.listed``) a column ``lapsing`` counts the
    sign-ups meeting it too, in the same pass over the sign-ups.
    """
    columns = [SignUp.village_code, func.count(SignUp.id).label("signups")]
    if lapsing is not None:
        columns.append(func.sum(case((lapsing, 1), else_=0)).label("lapsing"))
    statement = select(*columns)
    if lapsing is not None:
        statement = statement.outerjoin(PaymentHistory, PaymentHistory.signup_id == SignUp.id)
    return (
        statement
        .join(Village, Village.code == SignUp.village_code)
        .join(District, District.code == Village.district_code)
        .where(live(), *village_conditions)
        .group_by(SignUp.village_code)
        .subquery("signups_by_village")
    )


def signups_so_far(village_code: str) -> int:
    """The number of workers signed up in the village so far: one statement."""
    return db.session.scalar(select(signups_in(village_code)))
