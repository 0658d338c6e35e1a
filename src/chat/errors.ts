import { ForbiddenError, NotFoundError } from '../errors';
import { fromUpstream } from '../upstream-errors';

/** Non-participants get 404 for a thread, never 403: the backend does not reveal that a thread exists. */
export const threadNotFound = (): NotFoundError =>
  new NotFoundError('The chat thread does not exist, or you are not a participant.', 'ThreadNotFound');
export const messageNotFound = (): NotFoundError =>
  new NotFoundError('The message does not exist in this thread.', 'MessageNotFound');
export const notOwner = (): ForbiddenError =>
  new ForbiddenError('Only the thread owner may do this.', 'NotThreadOwner');

/** Maps an ACS failure on a thread-scoped call: 403 and 404 both mean "no such thread for you". */
export function fromThreadCall(error: unknown): Error {
  return fromUpstream(error, { notFound: threadNotFound, forbidden: threadNotFound });
}
