// One conversation as the seed's agents see it: its facts, then every party's timeline with the Trusted Message indicator, system lines and party dividers.
import { Fragment, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getConversation } from '../conversations/conversation-api.ts';
import type { ConversationDetail, TimelineLine } from '../conversations/conversation-types.ts';
import { scenarioLabel, words } from '../conversations/labels.ts';
import { partyName, withDividers } from '../conversations/timeline-lines.ts';
import { lastListSearch } from '../conversations/url-query.ts';
import { Link, Notice, when } from '../ui.tsx';
import '../conversations/conversations.css';

const Fact = ({ label, children, testid }: { label: string; children: ComponentChildren; testid?: string }) => (
  <div data-testid={testid}>
    <dt>{label}</dt>
    <dd>{children}</dd>
  </div>
);

/** The seed's icon: green while the conversation is open, gray once it is closed, nothing on untrusted messages. */
function TrustedBadge({ indicator }: { indicator: TimelineLine['indicator'] }) {
  if (!indicator) return null;
  const title = indicator === 'green' ? 'Trusted message: the customer was logged in to the account they chat from' : 'Trusted message (conversation closed)';
  return (
    <span class={`trusted trusted-${indicator}`} title={title} data-testid="trusted">
      Trusted
    </span>
  );
}

function Line({ entry }: { entry: TimelineLine }) {
  const at = new Date(entry.at).toLocaleTimeString(undefined, { timeStyle: 'medium' });
  const data = { 'data-seq': entry.seq, 'data-from': entry.from, 'data-party': entry.party, 'data-indicator': entry.indicator ?? 'none' };
  if (entry.from === 'system') {
    return (
      <div class="line line-system" {...data}>
        <span class="system-text" title={at}>
          {entry.text}
        </span>
      </div>
    );
  }
  return (
    <div class={`line line-${entry.from}`} {...data}>
      <span class="who">
        {entry.from === 'customer' ? 'Customer' : 'Bot'} · {at}
        {entry.from === 'customer' && <TrustedBadge indicator={entry.indicator} />}
      </span>
      <span class="bubble">{entry.text}</span>
    </div>
  );
}

/** The id in the URL as encodeURIComponent wrote it; a malformed escape is kept as it is (the API then says not found). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function ConversationPage({ segment }: { segment: string }) {
  const id = decodeSegment(segment);
  const [conv, setConv] = useState<ConversationDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getConversation(id).then(setConv, (e: Error) => setError(e.message));
  }, [id]);
  const back = <Link to={`/conversations${lastListSearch()}`}>← Conversations</Link>;
  if (error)
    return (
      <div class="admin-page">
        {back}
        <Notice kind="error">{error}</Notice>
      </div>
    );
  if (!conv) return <div class="loading">Loading the conversation…</div>;
  const parties = new Set(conv.timeline.map((e) => e.party)).size;
  const identity = conv.identity;
  return (
    <div class="admin-page conversation-page" data-testid="conversation-page">
      {back}
      <div class="page-head">
        <h2>
          Conversation <code>{conv.id}</code>
        </h2>
        <span class="muted">
          started {when(conv.createdAt)} · last turn {when(conv.updatedAt)}
        </span>
      </div>
      <dl class="facts" data-testid="facts">
        <Fact label="Scenario" testid="fact-scenario">
          <span class={`pill scenario-${conv.scenario}`}>{scenarioLabel(conv.scenario)}</span>
        </Fact>
        <Fact label="Status" testid="fact-status">
          <span class={`pill status-${conv.status}`}>{words(conv.status)}</span>
          {conv.step && <span class="muted small"> at step {conv.step}</span>}
        </Fact>
        <Fact label="Auth status · method" testid="fact-auth">
          <span class={`pill auth-${identity.status}`}>{identity.status}</span> <span class="muted">by {identity.method}</span>
          {identity.tokenExpiresAt !== null && <div class="muted small">token valid until {when(new Date(identity.tokenExpiresAt * 1000).toISOString())}</div>}
        </Fact>
        <Fact label="Onboarding type" testid="fact-onboarding">
          <span class={`pill onboarding-${conv.onboardingType}`}>{words(conv.onboardingType)}</span>
        </Fact>
        <Fact label="Routed · queue" testid="fact-routed">
          {conv.routed ? `routed to ${conv.queue ?? 'an agent'}` : 'not routed'}
        </Fact>
        <Fact label="Profile match" testid="fact-profile">
          {words(conv.profile.match)}
          {conv.profile.id && <div class="muted small">profile {conv.profile.id}</div>}
        </Fact>
        <Fact label="Thread · version" testid="fact-thread">
          <Link to={`/threads/${conv.threadId}`}>{conv.threadId}</Link> v{conv.threadVersion}
        </Fact>
        <Fact label="Widget · parties" testid="fact-widget">
          {conv.widgetId}
          <div class="muted small">
            {parties} {parties === 1 ? 'party' : 'parties'} in the timeline · now {partyName(identity.party)}
          </div>
        </Fact>
      </dl>
      <div class="timeline" data-testid="timeline">
        {conv.timeline.length === 0 && <div class="empty">Nothing in the timeline yet.</div>}
        {conv.timelinePage?.hasMore && (
          <div class="muted small" data-testid="timeline-earlier">
            The latest {conv.timeline.length} entries; earlier ones are in GET /v1/conversations/{conv.id}/timeline?before={conv.timelinePage.nextBefore}.
          </div>
        )}
        {withDividers(conv.timeline).map(({ entry, divider }) => (
          <Fragment key={entry.seq}>
            {divider && (
              <div class={`divider divider-${divider.kind}`} data-testid="divider" data-kind={divider.kind}>
                {divider.label}
              </div>
            )}
            <Line entry={entry} />
          </Fragment>
        ))}
      </div>
    </div>
  );
}
