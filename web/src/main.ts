import { type ChatClient, unwrap } from '../../client';
import { AccountSettingsPanel, erasingNotice } from './account-settings';
import { bannedNotice, watchForBan } from './banned-notice';
import { type Conversation, Conversations } from './conversations';
import { checkbox, field, h, replaceChildren } from './dom';
import { type FeedState, LiveFeed } from './live-feed';
import { MessageRejections } from './message-rejections';
import { canModerate } from './moderator-access';
import { NotificationSettingsPanel } from './notification-settings';
import { errorText } from './refusals';
import { ReviewPage } from './review-page';
import { clientFor, currentSession, type Session, signIn, signOut } from './session';
import { ThreadView } from './thread-view';

const app = document.getElementById('app')!;

function showSignIn(): void {
  const userId = h('input', {
    name: 'userId',
    required: true,
    autocomplete: 'username',
    pattern: '[A-Za-z0-9._\\-]{1,64}',
  });
  const displayName = h('input', { name: 'displayName', autocomplete: 'name' });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'email', maxlength: '254' });
  const admin = h('input', { name: 'admin' });
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h(
    'form',
    {
      class: 'sign-in',
      'aria-label': 'Sign in',
      onsubmit: (event: Event) => {
        event.preventDefault();
        signIn(userId.value.trim(), displayName.value.trim(), { admin: admin.checked, email: email.value.trim() })
          .then(showChat)
          .catch((reason: unknown) => {
            error.textContent = reason instanceof Error ? reason.message : String(reason);
          });
      },
    },
    h('h1', {}, 'Sign in (dev stack)'),
    h('p', {}, 'Any user name works here: the dev issuer signs the token. Open a second window as someone else.'),
    field('User name', userId),
    field('Display name', displayName),
    field('Email (optional)', email),
    checkbox('Admin: may review reports and ban people', admin),
    error,
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
  );
  replaceChildren(app, form);
  userId.focus();
}

const CONNECTION_TEXT: Record<FeedState, string> = {
  live: 'Live',
  connecting: 'Reconnecting…',
  stopped: 'Offline',
  polling: 'No live connection: checking every few seconds',
};

function showChat(session: Session): void {
  const client = clientFor(session);
  const feed = new LiveFeed(client);
  // Before any other listener: a thread view hearing a rejection finds it recorded already.
  const rejections = new MessageRejections(feed);
  const threadList = h('ul', { 'aria-label': 'Threads' });
  const panel = h('div', { class: 'panel' }, h('p', { class: 'status' }, 'Pick a thread or start a new one.'));
  const connection = h('span', { class: 'connection', role: 'status', 'aria-label': 'Connection' });
  const moderation = h('button', { type: 'button', hidden: true, onclick: () => void openReview() }, 'Moderation');
  const notifications = h('button', { type: 'button', onclick: () => void openNotifications() }, 'Notifications');
  const account = h('button', { type: 'button', onclick: openAccount }, 'Account');
  let open: { threadId: string; view: ThreadView } | undefined;
  let stopped = false;

  const renderList = (): void =>
    replaceChildren(
      threadList,
      ...conversations.list().map((conversation) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              'aria-current': open?.threadId === conversation.threadId ? 'true' : 'false',
              onclick: () => void openThread(conversation),
            },
            conversation.topic,
            conversation.unread ? h('span', { class: 'badge' }, ` (${conversation.unread} unread)`) : null,
          ),
        ),
      ),
    );
  const conversations = new Conversations(client, feed, renderList);
  const showConnection = (state: FeedState): void => {
    connection.textContent = CONNECTION_TEXT[state];
    connection.dataset.state = state;
  };
  feed.listen({ state: showConnection });
  showConnection(feed.state);

  async function openThread(conversation: Pick<Conversation, 'threadId' | 'topic'>): Promise<void> {
    open?.view.close();
    const view = new ThreadView(client, session, feed, rejections, conversation.threadId, conversation.topic, (why) => {
      open = undefined;
      replaceChildren(panel, h('p', { class: 'status' }, why));
      renderList();
      conversations.nudge();
    });
    open = { threadId: conversation.threadId, view };
    renderList();
    replaceChildren(panel, view.element);
    await view.open();
    // Opening marked the thread read: without a socket, show its badge gone now rather than at the next idle poll.
    conversations.nudge();
  }

  /** Shows `page` in place of the open thread (which closes). */
  function showPage(page: { element: HTMLElement }): void {
    open?.view.close();
    open = undefined;
    renderList();
    replaceChildren(panel, page.element);
  }

  async function openReview(): Promise<void> {
    const review = new ReviewPage(client);
    showPage(review);
    await review.open();
  }

  async function openNotifications(): Promise<void> {
    const settings = new NotificationSettingsPanel(client);
    showPage(settings);
    await settings.open();
  }

  function openAccount(): void {
    const settings = new AccountSettingsPanel(client, {
      stopChat: stop,
      erased: () => {
        signOut();
        replaceChildren(app, erasingNotice(client, session.userId, showSignIn));
      },
    });
    showPage(settings);
    settings.open();
  }

  /** Everything the chat runs stops: the list, the open thread, the socket. */
  function stop(): void {
    stopped = true;
    conversations.stop();
    rejections.stop();
    open?.view.close();
    feed.stop();
  }

  watchForBan(client, (message) => {
    stop();
    replaceChildren(
      app,
      bannedNotice(message, {
        tryAgain: () => showChat(session),
        signOut: () => {
          signOut();
          showSignIn();
        },
      }),
    );
  });

  replaceChildren(
    app,
    h(
      'header',
      { class: 'bar' },
      h('h1', {}, `ACS chat · ${session.displayName}`),
      connection,
      moderation,
      notifications,
      account,
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            stop();
            signOut();
            showSignIn();
          },
        },
        'Sign out',
      ),
    ),
    h(
      'div',
      { class: 'layout' },
      h(
        'nav',
        { class: 'threads', 'aria-label': 'Conversations' },
        newThreadForm(client, openThread, conversations),
        threadList,
      ),
      panel,
    ),
  );
  // The socket first, so that nothing changed between the inbox fetch and the connection goes unseen.
  void feed.start().then(() => (stopped ? undefined : conversations.start()));
  void canModerate(client).then((allowed) => (moderation.hidden = !allowed));
}

function newThreadForm(
  client: ChatClient,
  openThread: (conversation: Pick<Conversation, 'threadId' | 'topic'>) => Promise<void>,
  conversations: Conversations,
): HTMLElement {
  const topic = h('input', { name: 'topic', required: true, maxlength: '250' });
  const participants = h('input', { name: 'participants', placeholder: 'bob, carol' });
  const error = h('p', { class: 'error', role: 'alert' });
  return h(
    'form',
    {
      'aria-label': 'New thread',
      onsubmit: (event: Event) => {
        event.preventDefault();
        error.textContent = '';
        const userIds = participants.value
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
        client.api
          .POST('/threads', {
            body: { topic: topic.value.trim(), participants: userIds.map((userId) => ({ userId })) },
          })
          .then(unwrap)
          .then(async ({ thread, invalidParticipants }) => {
            if (invalidParticipants.length > 0)
              error.textContent = `Not added: ${invalidParticipants.map((p) => p.userId).join(', ')}`;
            topic.value = '';
            participants.value = '';
            conversations.nudge();
            await openThread({ threadId: thread.id, topic: thread.topic });
          })
          .catch((reason: unknown) => {
            error.textContent = errorText(reason, 'createThread');
          });
      },
    },
    field('New thread topic', topic),
    field('Participants (user names, comma separated)', participants),
    error,
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, 'Create thread')),
  );
}

const session = currentSession();
if (session) showChat(session);
else showSignIn();
