/** Some consumer groups could not be deleted (e.g. they still have members); names each and why. */
export class DeleteGroupsError extends Error {
  override readonly name = 'DeleteGroupsError';
  constructor(readonly failures: { groupId: string; reason: string }[]) {
    super(
      `could not delete consumer groups: ${failures.map((f) => `${f.groupId} (${f.reason})`).join(', ')}`,
    );
  }
}
