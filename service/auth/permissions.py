"""Who may do what: one declarative policy that every command and read goes through.

Each action maps roles to a scope: ANY team of the organisation, or only the principal's own TEAM.
A role absent from an action's row may not do it at all."""

from __future__ import annotations

from enum import StrEnum

from domain.errors import Forbidden
from service.auth.identity import Principal, Role


class Scope(StrEnum):
    ANY = "any team"
    TEAM = "own team"


R = Role
ANY, TEAM = Scope.ANY, Scope.TEAM
READERS: dict[Role, Scope] = {R.ADMIN: ANY, R.SENIOR_LEADER: ANY, R.AUDITOR: ANY, R.TEAM_LEADER: TEAM,
                              R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM, R.SERVICE_USER: TEAM,
                              R.INTEGRATION: TEAM}
CHART_DECIDERS: dict[Role, Scope] = {R.SENIOR_LEADER: ANY, R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM}
CONTROL_LEADS: dict[Role, Scope] = {R.SENIOR_LEADER: ANY, R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM}
CONTROL_TEAM: dict[Role, Scope] = {**CONTROL_LEADS, R.TEAM_MEMBER: TEAM}
# improvement: team leaders and senior clinicians decide; members and service users take part; senior leaders
# sponsor and see all; auditors read.
IMPROVEMENT_LEADS: dict[Role, Scope] = {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM}
IMPROVEMENT_STAFF: dict[Role, Scope] = {**IMPROVEMENT_LEADS, R.TEAM_MEMBER: TEAM}
IMPROVEMENT_ALL: dict[Role, Scope] = {**IMPROVEMENT_STAFF, R.SERVICE_USER: TEAM}

POLICY: dict[str, dict[Role, Scope]] = {
    # planning
    "team.create": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY},
    "personal_data.erase": {R.ADMIN: ANY},
    "team.read": {role: ANY for role in Role},
    "measure.define": {R.SENIOR_LEADER: ANY, R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM},
    # control
    "measure.read": READERS,
    "observations.record": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM,
                            R.INTEGRATION: TEAM},
    "limits.recalculate": CHART_DECIDERS,
    "baseline.set": CHART_DECIDERS,
    "target.set": CHART_DECIDERS,
    "feedback.give": {R.SERVICE_USER: TEAM, R.TEAM_MEMBER: TEAM, R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM},
    "feedback.read": {R.SENIOR_LEADER: ANY, R.AUDITOR: ANY, R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM,
                      R.TEAM_MEMBER: TEAM},
    # assurance
    "history.read": {R.AUDITOR: ANY, R.SENIOR_LEADER: ANY, R.ADMIN: ANY, R.TEAM_LEADER: TEAM,
                     R.SENIOR_CLINICIAN: TEAM},
    # planning: the organisation, membership and the annual quality plan
    "organisation.establish": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY},
    "directorate.designate": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY},
    "strategy.set": {R.SENIOR_LEADER: ANY},
    "organisation.read": {role: ANY for role in Role},
    "membership.manage": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY, R.TEAM_LEADER: TEAM},
    "membership.read": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY, R.AUDITOR: ANY, R.TEAM_LEADER: TEAM,
                        R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM, R.SERVICE_USER: TEAM},
    "plan.draft": {R.TEAM_LEADER: TEAM},
    "plan.revise": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM},
    "plan.need.raise": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM, R.SERVICE_USER: TEAM},
    "plan.comment": {R.SENIOR_LEADER: ANY, R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM,
                     R.SERVICE_USER: TEAM},
    "plan.review": {R.SENIOR_LEADER: ANY, R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM,
                    R.SERVICE_USER: TEAM},
    "plan.submit": {R.TEAM_LEADER: TEAM},
    "plan.approve": {R.SENIOR_LEADER: ANY},
    "plan.read": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY, R.AUDITOR: ANY, R.TEAM_LEADER: TEAM,
                  R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM, R.SERVICE_USER: TEAM},
    "alignment.read": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY, R.AUDITOR: ANY},
    "measure.specify": {R.SENIOR_LEADER: ANY, R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM},
    # control: huddles, escalation and the action tracker
    "action.read": READERS,
    "action.create": CONTROL_TEAM,
    "action.complete": CONTROL_TEAM,
    "action.cancel": CONTROL_LEADS,
    "action.reassign": CONTROL_LEADS,
    "action.reschedule": CONTROL_LEADS,
    "huddle.read": READERS,
    "huddle.record": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM},
    "problem.raise": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM},
    "problem.solve": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM},
    "escalation.read": READERS,
    "escalation.raise": CONTROL_LEADS,
    "escalation.acknowledge": CONTROL_LEADS,
    "escalation.escalate": CONTROL_LEADS,
    "escalation.resolve": CONTROL_LEADS,
    "escalation_levels.read": {role: ANY for role in Role},
    "escalation_levels.configure": {R.SENIOR_LEADER: ANY},
    "signal.read": READERS,
    "signal.acknowledge": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM},
    "control.people.read": {role: scope for role, scope in READERS.items()
                            if role not in (R.SERVICE_USER, R.INTEGRATION)},
    # assurance: audits, their programme, inspections, guidance and its assessments, fishbone diagrams
    "audit.run": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM},
    "audit.cases.record": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM,
                           R.SERVICE_USER: TEAM},
    "audit.programme.manage": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM},
    "inspection.record": {R.SENIOR_LEADER: ANY, R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM},
    "guidance.register": {R.SENIOR_LEADER: ANY, R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM},
    "assessment.assess": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM},
    "fishbone.draw": {R.TEAM_LEADER: TEAM, R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM, R.SERVICE_USER: TEAM},
    "assurance.read": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY, R.AUDITOR: ANY, R.TEAM_LEADER: TEAM,
                       R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM, R.SERVICE_USER: TEAM},
    # improvement
    "improvement.read": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY, R.AUDITOR: ANY, **IMPROVEMENT_ALL},
    "project.create": IMPROVEMENT_LEADS,
    "project.decide": IMPROVEMENT_LEADS,
    "project.sponsor": {R.SENIOR_LEADER: ANY},
    "cycle.plan": IMPROVEMENT_ALL,
    "cycle.record": IMPROVEMENT_ALL,
    "cycle.act": IMPROVEMENT_LEADS,
    "opportunity.propose": {R.SENIOR_LEADER: ANY, **IMPROVEMENT_ALL},
    "opportunity.vote": IMPROVEMENT_ALL,
    "opportunity.choose": IMPROVEMENT_LEADS,
    "diagram.edit": IMPROVEMENT_STAFF,
    "ideas.run": IMPROVEMENT_STAFF,
    "ideas.contribute": IMPROVEMENT_ALL,
    "pareto.record": IMPROVEMENT_STAFF,
    "flowchart.edit": IMPROVEMENT_STAFF,
    # balance: a team's balance (with its sub-teams') for its own roles; the organisation's and the ranking of
    # every team for senior leaders, and for auditors and admins to read
    "balance.read": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY, R.AUDITOR: ANY, R.TEAM_LEADER: TEAM,
                     R.SENIOR_CLINICIAN: TEAM, R.TEAM_MEMBER: TEAM, R.SERVICE_USER: TEAM},
    "balance.organisation.read": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY, R.AUDITOR: ANY},
    # integrations: which hospital systems write which of a team's measures is a leader's decision
    "integration.register": {R.SENIOR_LEADER: ANY, R.TEAM_LEADER: TEAM},
    "integration.read": {R.ADMIN: ANY, R.SENIOR_LEADER: ANY, R.AUDITOR: ANY, R.TEAM_LEADER: TEAM,
                         R.SENIOR_CLINICIAN: TEAM},
}


def allowed(principal: Principal, action: str, team_id: str | None) -> bool:
    scope = POLICY[action].get(principal.role)
    if scope is None:
        return False
    return scope is Scope.ANY or (team_id is not None and principal.in_team(team_id))


def authorize(principal: Principal, action: str, team_id: str | None = None) -> None:
    """Raise Forbidden unless the policy lets this principal do `action` for `team_id`."""
    if not allowed(principal, action, team_id):
        scope = POLICY[action].get(principal.role)
        why = (f"role {principal.role.value} may not perform {action}" if scope is None else
               f"role {principal.role.value} may perform {action} only for its own teams")
        raise Forbidden(f"Not allowed: {why}.")


def policy_markdown() -> str:
    """The policy as a Markdown table: one row per action, one column per role (docs print from this)."""
    roles = list(Role)
    lines = ["| action | " + " | ".join(r.value for r in roles) + " |", "|---" * (len(roles) + 1) + "|"]
    for action, rules in POLICY.items():
        cells = [rules[r].value if r in rules else "—" for r in roles]
        lines.append(f"| {action} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
