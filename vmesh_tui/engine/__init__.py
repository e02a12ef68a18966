"""Orchestration without UI: discover, plan, apply, validate, revert, recover as progress events.

- ``session.Engine(client, state_dir)``: the operations, as async generators of ``events.Event`` ending
  with "done" (data["result"] is one of ``results``' objects); ``journal_summaries`` for status.
- ``planning``: ``PlanRequest`` -> ``build_plan`` -> ``PlanResult``; ``stale_reasons``.
- ``runner``: journaled steps on all hosts at once, lost replies recognised, undo from actual state.
- ``journal``/``lock``/``paths``: crash-safe records, one run per host, where the files live.
- ``validation``/``recovery``: the ping matrix with explanations; the reboot toggle.
Never imports pyVmomi or textual; the adapter's blocking calls run in threads.
"""
