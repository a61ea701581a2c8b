// NOTE for the implementer: the task text is in ../ISSUE-3.md and the semantics in ../SEMANTICS.md
// (the prompt placeholders ISSUE_PLACEHOLDER / SEMANTICS_PLACEHOLDER refer to those files; delete both files when done).
export {};
