//! Builds one customer document: identity, orders, conversations on every
//! channel with their items, app activity and app data.

use serde_json::{Map, Value};

use crate::clock::{self, Millis, DAY_MS};
use crate::format::*;

use super::id;
use super::identity::{self, Identity, Shared};
use super::rng::Rng;
use super::text;

const STREAM_BODY: u64 = 3;
const MINUTE: Millis = 60_000;
const HOUR: Millis = 60 * MINUTE;
const YEAR: Millis = 365 * DAY_MS;

const SUPPORT_EMAIL: &str = "support@northwind-goods.com";
const SUPPORT_PHONE: &str = "+1 (415) 555-0100";
const STORE_URL: &str = "https://admin.shopify.com/store/northwind-goods/orders/";

/// Share of customer messages with pasted personal data.
const PII_RATE: f64 = 0.04;

#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub duplicate: bool,
    pub pii_messages: u32,
}

mod commerce;
mod conversation;

use conversation::{Channel, Draft};

/// Per-order facts that conversations refer to.
struct OrderRef {
    number: String,
    product: &'static str,
    tracking: String,
    carrier: &'static str,
}

/// The customer being built.
struct Gen {
    seed: u64,
    index: u64,
    anchor: Millis,
    rng: Rng,
    who: Identity,
    customer_id: String,
    items: u64,
    attachments: u64,
    recordings: u64,
    sessions: u64,
    facts: Facts,
    orders: Vec<OrderRef>,
    /// What customers without an order history talk about (an order from a
    /// marketplace, a gift).
    fallback: OrderRef,
    csat: Vec<i64>,
}

pub fn customer(seed: u64, anchor: Millis, index: u64, big: Option<usize>) -> (CustomerDoc, Facts) {
    let mut who = identity::identity(seed, index, big.is_some());
    let mut facts = Facts::default();
    if big.is_none() {
        if let Some((original, shared)) = identity::duplicate_of(seed, index) {
            facts.duplicate = share(&mut who, &identity::identity(seed, original, false), shared);
        }
    }
    let mut g = Gen {
        seed,
        index,
        anchor,
        rng: Rng::derive(seed, STREAM_BODY, index),
        customer_id: id("cus", seed, index),
        who,
        items: 0,
        attachments: 0,
        recordings: 0,
        sessions: 0,
        facts,
        orders: vec![],
        fallback: OrderRef {
            number: format!("#{}", 1001 + index * 8 + 7),
            product: text::PRODUCTS[(index % text::PRODUCTS.len() as u64) as usize].1,
            tracking: "1Z999AA10123456784".into(),
            carrier: "UPS",
        },
        csat: vec![],
    };
    let doc = g.build(big);
    (doc, g.facts)
}

/// Makes `who` a duplicate of `original`; false when the original has no
/// such value to share.
fn share(who: &mut Identity, original: &Identity, shared: Shared) -> bool {
    let same_person = |who: &mut Identity| {
        who.name = original.name.clone();
        who.greeting = original.greeting.clone();
    };
    match shared {
        Shared::Email if !original.emails.is_empty() => {
            let mut email = original.emails[0].clone();
            email.primary = true;
            for e in &mut who.emails {
                e.primary = false;
            }
            who.emails.insert(0, email);
            who.emails.truncate(3);
            same_person(who);
            true
        }
        Shared::ShopifyId if original.shopify_id.is_some() => {
            who.shopify_id = original.shopify_id.clone();
            same_person(who);
            true
        }
        Shared::SalesforceId if original.salesforce_id.is_some() => {
            who.salesforce_id = original.salesforce_id.clone();
            same_person(who);
            true
        }
        _ => false,
    }
}

impl Gen {
    fn build(&mut self, big: Option<usize>) -> CustomerDoc {
        let anchor = self.anchor;
        // Last Contacts spread over five years, more of them recent.
        let (last, mut created) = if big.is_some() {
            (
                anchor - self.rng.range(2 * HOUR, 3 * DAY_MS),
                anchor - 5 * YEAR,
            )
        } else {
            let ago = (self.rng.unit().powf(1.6) * (5 * YEAR) as f64) as Millis;
            let last = anchor - ago.max(2 * HOUR) - self.rng.range(0, HOUR);
            let history = (self.rng.unit().powf(0.7) * (3 * YEAR) as f64) as Millis + DAY_MS;
            (last, last - history)
        };

        let orders = self.orders(created, last);
        let target = big.unwrap_or_else(|| {
            // Most customers write a few times; a few write constantly.
            if self.rng.chance(0.02) {
                self.rng.range(25, 100) as usize
            } else {
                self.rng.range(3, 11) as usize
            }
        });
        let recent = anchor - last < 60 * DAY_MS;

        // Draft conversations until the item budget is spent.
        let mut drafts: Vec<Draft> = vec![];
        let mut count = 0;
        while count < target || drafts.is_empty() {
            let budget = target.saturating_sub(count).max(2);
            let draft = self.conversation(budget);
            // +1: the closing status change `finish` adds.
            count += draft.items.len() + 1;
            drafts.push(draft);
        }
        let k = drafts.len();
        let last_status = if (recent && self.rng.chance(0.5)) || self.rng.chance(0.012) {
            if self.rng.chance(0.6) {
                ConversationStatus::Open
            } else {
                ConversationStatus::Waiting
            }
        } else {
            ConversationStatus::Closed
        };

        // Spread conversations over the customer's history; the last one
        // holds the last Contact.
        let history = (last - created).max(k as Millis);
        let mut starts = Vec::with_capacity(k);
        for (j, d) in drafts.iter().enumerate() {
            let start = if j + 1 == k {
                last - d.last_contact
            } else {
                let slot = history / k as Millis;
                let s = created + slot * j as Millis + self.rng.range(0, slot / 2);
                s.min(last - d.last_contact - (k - j) as Millis * MINUTE)
            };
            starts.push(start);
        }
        created = created.min(starts[0] - self.rng.range(MINUTE, 3 * DAY_MS));

        let mut conversations = Vec::with_capacity(k);
        for (j, draft) in drafts.into_iter().enumerate() {
            let status = if j + 1 == k {
                last_status
            } else {
                ConversationStatus::Closed
            };
            conversations.push(self.finish(draft, starts[j], status, j as u64));
        }
        // App activity after the last Contact: a marketing email opened, an
        // order delivered. It must not count as a Contact.
        if self.rng.chance(0.12) {
            self.activity_after(conversations.last_mut(), last);
        }

        let mut newest = created;
        for c in &conversations {
            for i in &c.items {
                newest = newest.max(clock::parse(&i.timestamp).unwrap_or(created));
            }
        }
        let order_docs = self.order_docs(orders);
        let app_data = self.app_data(&order_docs, newest);
        let custom_attributes = self.attributes(&order_docs);

        let mut external_ids = Map::new();
        if let Some(s) = &self.who.shopify_id {
            external_ids.insert("shopify".into(), Value::String(s.clone()));
        }
        if let Some(s) = &self.who.salesforce_id {
            external_ids.insert("salesforce".into(), Value::String(s.clone()));
        }
        CustomerDoc {
            id: self.customer_id.clone(),
            name: self.who.name.clone(),
            emails: std::mem::take(&mut self.who.emails),
            phones: std::mem::take(&mut self.who.phones),
            addresses: std::mem::take(&mut self.who.addresses),
            external_customer_id: self.who.shopify_id.clone(),
            external_customer_ids: external_ids,
            custom_attributes,
            created_at: clock::format_ms(created),
            updated_at: Some(clock::format_ms(newest)),
            last_contact_at: None,
            deleted_at: None,
            deletion_reason: None,
            conversations,
            orders: order_docs,
            app_data,
        }
    }

    fn counter(&self, n: u64) -> u64 {
        (self.index << 20) | n
    }

    fn next_item_id(&mut self) -> String {
        self.items += 1;
        id("itm", self.seed, self.counter(self.items))
    }

    fn agent_id(&self, agent: usize) -> String {
        id("agt", self.seed, agent as u64)
    }

    fn item(&mut self, kind: ContentType, by: InitiatorType, agent: usize) -> ItemDoc {
        let initiator_id = match by {
            InitiatorType::Customer => Some(self.customer_id.clone()),
            InitiatorType::Agent => Some(self.agent_id(agent)),
            InitiatorType::App | InitiatorType::System => None,
        };
        let direction = match (kind.is_contact(), by) {
            (true, InitiatorType::Customer) => Some(Direction::Inbound),
            (true, _) => Some(Direction::Outbound),
            _ => None,
        };
        ItemDoc {
            id: self.next_item_id(),
            timestamp: String::new(),
            initiator: Initiator {
                id: initiator_id,
                kind: by,
            },
            direction,
            content: Content::new(kind),
            deleted_at: None,
        }
    }

    fn primary_email(&self) -> Option<&str> {
        self.who.emails.first().map(|e| e.original.as_str())
    }

    fn primary_phone(&self) -> Option<&str> {
        self.who.phones.first().map(|p| p.original.as_str())
    }

    /// Turns a draft into a conversation starting at `start`: closing
    /// status change, CSAT survey, work sessions, absolute times.
    fn finish(
        &mut self,
        mut d: Draft,
        start: Millis,
        status: ConversationStatus,
        n: u64,
    ) -> ConversationDoc {
        let agent = d.agent;
        let mut closed_at = None;
        match status {
            ConversationStatus::Open => {}
            ConversationStatus::Waiting | ConversationStatus::Closed => {
                d.t += self.rng.range(MINUTE, 30 * MINUTE);
                let by = if self.rng.chance(0.8) {
                    InitiatorType::Agent
                } else {
                    InitiatorType::System
                };
                let mut item = self.item(ContentType::ConversationStatusChange, by, agent);
                item.content
                    .extra
                    .insert("status".into(), Value::String(status.as_str().into()));
                self.push(&mut d, item);
                if status == ConversationStatus::Closed {
                    closed_at = Some(start + d.t);
                    if self.rng.chance(0.25) {
                        d.t += self.rng.range(HOUR, 3 * DAY_MS);
                        let item = self.csat();
                        self.push(&mut d, item);
                    }
                }
            }
        }
        let end = start + d.t;
        let mut items = Vec::with_capacity(d.items.len());
        for (offset, mut item) in d.items {
            let at = start + offset;
            // Late survey answers that would land after the anchor never came.
            if at >= self.anchor {
                continue;
            }
            item.timestamp = clock::format_ms(at);
            items.push(item);
        }
        let mut work_sessions = Vec::with_capacity(d.sessions.len());
        for (agent, from, to) in d.sessions {
            self.sessions += 1;
            let ended = match to {
                Some(t) => Some(start + t),
                None if status == ConversationStatus::Open => None,
                None => Some(closed_at.unwrap_or(end).min(self.anchor - 1)),
            };
            work_sessions.push(WorkSessionDoc {
                id: id("wrk", self.seed, self.counter(self.sessions)),
                agent_id: self.agent_id(agent),
                started_at: clock::format_ms(start + from.max(0)),
                ended_at: ended.map(clock::format_ms),
            });
        }
        let updated = items.last().map(|i| i.timestamp.clone());
        ConversationDoc {
            id: id("cnv", self.seed, (self.index << 16) | n),
            status,
            topic: Some(d.topic.name.to_string()),
            channel: Some(self.channel_of(&items).to_string()),
            agent_id: Some(self.agent_id(agent)),
            created_at: clock::format_ms(start),
            updated_at: updated,
            closed_at: closed_at.map(clock::format_ms),
            deleted_at: None,
            items,
            work_sessions,
        }
    }

    fn channel_of(&self, items: &[ItemDoc]) -> &'static str {
        let first = items.iter().find(|i| i.content.kind.is_contact());
        match first.map(|i| i.content.kind) {
            Some(ContentType::Email) => Channel::Email.name(),
            Some(ContentType::Sms) => Channel::Sms.name(),
            Some(ContentType::PhoneCall | ContentType::Voicemail) => Channel::Phone.name(),
            Some(ContentType::FacebookMessage) => Channel::Facebook.name(),
            Some(ContentType::InstagramDirect) => Channel::Instagram.name(),
            Some(ContentType::Whatsapp) => Channel::Whatsapp.name(),
            _ => Channel::Chat.name(),
        }
    }

    fn activity_after(&mut self, conv: Option<&mut ConversationDoc>, last: Millis) {
        let Some(conv) = conv else {
            return;
        };
        let room = self.anchor - last - HOUR;
        if room <= DAY_MS {
            return;
        }
        let n = self.rng.range(1, 3);
        let mut at = last;
        for _ in 0..n {
            at += self.rng.range(DAY_MS, (room / 3).max(DAY_MS + 1));
            if at >= self.anchor {
                break;
            }
            let mut item = match self.rng.below(4) {
                0 if !self.orders.is_empty() => {
                    let o = &self.orders[self.orders.len() - 1];
                    let title = format!("Order {} delivered", o.number);
                    let body = format!("Delivered by {} ({})", o.carrier, o.tracking);
                    self.activity("Shopify", "ORDER", title, Some(body))
                }
                1 => self.csat(),
                _ => {
                    let title = self.rng.pick(text::CAMPAIGNS).to_string();
                    self.activity("Klaviyo", "EMAIL_MARKETING", title, None)
                }
            };
            item.timestamp = clock::format_ms(at);
            conv.updated_at = Some(item.timestamp.clone());
            conv.items.push(item);
        }
    }
}
