"""The view layer: one module (or package) per web area — cockpit, indicators, units,
data, tasks, registers, evaluation, enterprises, reports, admin — that turns domain
results (``yanzhi.services``) into what that screen or document needs, for one principal.
Pages, the API, the CLI and the reports call it; the domain packages never import it."""
