//! Builds one customer document: identity, orders, conversations on every
//! channel with their items, app activity and app data.

use serde_json::{json, Map, Value};

use crate::clock::{self, Millis, DAY_MS};
use crate::format::*;

use super::id;
use super::identity::{self, Identity, Shared};
use super::media::{self, Kind};
use super::names::AGENTS;
use super::pasted;
use super::rng::Rng;
use super::text::{self, Topic, TOPICS};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Chat,
    Email,
    Sms,
    Phone,
    Voicemail,
    Facebook,
    Instagram,
    Whatsapp,
}

impl Channel {
    fn message_type(self) -> ContentType {
        match self {
            Channel::Chat => ContentType::ChatMessage,
            Channel::Email => ContentType::Email,
            Channel::Sms => ContentType::Sms,
            Channel::Phone => ContentType::PhoneCall,
            Channel::Voicemail => ContentType::Voicemail,
            Channel::Facebook => ContentType::FacebookMessage,
            Channel::Instagram => ContentType::InstagramDirect,
            Channel::Whatsapp => ContentType::Whatsapp,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Channel::Chat => "CHAT",
            Channel::Email => "EMAIL",
            Channel::Sms => "SMS",
            Channel::Phone | Channel::Voicemail => "VOICE",
            Channel::Facebook => "FACEBOOK_MESSENGER",
            Channel::Instagram => "INSTAGRAM_DIRECT",
            Channel::Whatsapp => "WHATSAPP",
        }
    }

    /// Typical pause between two messages, in ms.
    fn pace(self) -> (Millis, Millis) {
        match self {
            Channel::Chat => (20_000, 4 * MINUTE),
            Channel::Email => (30 * MINUTE, 30 * HOUR),
            Channel::Sms | Channel::Whatsapp => (2 * MINUTE, 5 * HOUR),
            _ => (5 * MINUTE, 10 * HOUR),
        }
    }
}

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

/// One conversation under construction: items at offsets from its start.
struct Draft {
    items: Vec<(Millis, ItemDoc)>,
    t: Millis,
    last_contact: Millis,
    topic: &'static Topic,
    order: usize,
    agent: usize,
    sessions: Vec<(usize, Millis, Option<Millis>)>,
    subject: Option<String>,
    thread: Option<String>,
    /// Messages so far, so lines are taken in turn and not repeated.
    turn: usize,
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
                self.rng.range(2, 10) as usize
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

    fn pick_channel(&mut self) -> Channel {
        let has_email = self.primary_email().is_some();
        let has_phone = self.primary_phone().is_some();
        loop {
            let c = match self.rng.below(100) {
                0..=24 => Channel::Chat,
                25..=49 => Channel::Email,
                50..=60 => Channel::Sms,
                61..=71 => Channel::Phone,
                72..=76 => Channel::Voicemail,
                77..=82 => Channel::Facebook,
                83..=88 => Channel::Instagram,
                _ => Channel::Whatsapp,
            };
            let ok = match c {
                Channel::Email => has_email,
                Channel::Sms | Channel::Phone | Channel::Voicemail | Channel::Whatsapp => has_phone,
                _ => true,
            };
            if ok {
                return c;
            }
        }
    }

    /// Fills a message template for this conversation.
    fn say(&self, d: &Draft, template: &str) -> String {
        let o = self.orders.get(d.order).unwrap_or(&self.fallback);
        text::fill(
            template,
            &self.who.greeting,
            &o.number,
            o.product,
            &o.tracking,
        )
    }

    /// What a customer writes; now and then with personal data pasted in.
    fn customer_text(&mut self, d: &Draft, lines: &'static [&'static str]) -> String {
        if self.rng.chance(PII_RATE) {
            self.facts.pii_messages += 1;
            let phone = self
                .primary_phone()
                .unwrap_or("+1 (415) 555-0199")
                .to_string();
            let email = self.primary_email().unwrap_or("me@example.com").to_string();
            return pasted::message(&mut self.rng, &phone, &email);
        }
        let line = lines[d.turn % lines.len()];
        self.say(d, line)
    }

    fn conversation(&mut self, budget: usize) -> Draft {
        let channel = self.pick_channel();
        let topic = self.rng.pick(TOPICS);
        let order = self.rng.below(self.orders.len().max(1) as u64) as usize;
        let agent = self.rng.below(AGENTS.len() as u64) as usize;
        let mut d = Draft {
            items: Vec::with_capacity(budget + 3),
            t: 0,
            last_contact: 0,
            topic,
            order,
            agent,
            sessions: vec![],
            subject: None,
            thread: None,
            turn: self.rng.below(8) as usize,
        };
        let session_start = |d: &mut Draft| {
            if d.sessions.is_empty() {
                d.sessions.push((d.agent, d.t - MINUTE, None));
            }
        };
        match channel {
            Channel::Phone => {
                let by_customer = self.rng.chance(0.7);
                session_start(&mut d);
                self.call(&mut d, by_customer);
                if self.rng.chance(0.7) {
                    self.note(&mut d, text::CALL_NOTES);
                }
            }
            Channel::Voicemail => {
                self.voicemail(&mut d);
                d.t += self.rng.range(20 * MINUTE, 6 * HOUR);
                session_start(&mut d);
                if self.rng.chance(0.7) {
                    self.call(&mut d, false);
                } else {
                    self.message(&mut d, Channel::Sms, false);
                }
            }
            _ => {
                let exchanges = match channel {
                    Channel::Chat => self.rng.range(2, 8),
                    _ => self.rng.range(2, 5),
                }
                .min(budget.saturating_sub(2).max(2) as i64);
                let (lo, hi) = channel.pace();
                self.message(&mut d, channel, true);
                if self.rng.chance(0.6) {
                    d.t += self.rng.range(10_000, 2 * MINUTE);
                    self.topic_change(&mut d);
                }
                for n in 1..exchanges {
                    d.t += self.rng.range(lo, hi);
                    let agent_turn = n % 2 == 1;
                    if agent_turn {
                        session_start(&mut d);
                        // A handover: another agent takes the rest.
                        if n >= 3 && d.sessions.len() == 1 && self.rng.chance(0.15) {
                            d.sessions[0].2 = Some(d.t - MINUTE);
                            d.agent = (d.agent + 1 + self.rng.below(3) as usize) % AGENTS.len();
                            d.sessions.push((d.agent, d.t - MINUTE, None));
                        }
                    }
                    self.message(&mut d, channel, !agent_turn);
                    if n == 2 && self.rng.chance(0.2) && !self.orders.is_empty() {
                        d.t += self.rng.range(MINUTE, HOUR);
                        self.order_activity(&mut d, "shipped");
                    }
                }
                if d.sessions.is_empty() {
                    d.t += self.rng.range(lo, hi);
                    session_start(&mut d);
                    self.message(&mut d, channel, false);
                }
                if self.rng.chance(0.3) {
                    d.t += self.rng.range(MINUTE, 20 * MINUTE);
                    let notes = d.topic.notes;
                    self.note(&mut d, notes);
                }
            }
        }
        d
    }

    fn push(&mut self, d: &mut Draft, item: ItemDoc) {
        if item.content.kind.is_contact() {
            d.last_contact = d.t;
        }
        d.items.push((d.t, item));
    }

    fn message(&mut self, d: &mut Draft, channel: Channel, by_customer: bool) {
        let kind = channel.message_type();
        let by = if by_customer {
            InitiatorType::Customer
        } else {
            InitiatorType::Agent
        };
        let mut item = self.item(kind, by, d.agent);
        let body = if by_customer {
            let lines = if d.items.is_empty() {
                d.topic.openers
            } else if self.rng.chance(0.25) {
                text::CUSTOMER_THANKS
            } else {
                d.topic.follow_ups
            };
            self.customer_text(d, lines)
        } else {
            let reply = d.topic.replies[d.turn % d.topic.replies.len()];
            let mut body = self.say(d, reply);
            if self.rng.chance(0.3) {
                body.push(' ');
                let closing = *self.rng.pick(text::AGENT_CLOSINGS);
                body.push_str(&self.say(d, closing));
            }
            body
        };
        d.turn += 1;
        let c = &mut item.content;
        match channel {
            Channel::Email => {
                let subject = match &d.subject {
                    None => {
                        let s = self.say(d, d.topic.subject);
                        d.subject = Some(s.clone());
                        d.thread = Some(id("thr", self.seed, self.counter(self.items)));
                        s
                    }
                    Some(s) => format!("Re: {s}"),
                };
                let customer = self.who.emails.first().map(|e| e.original.clone());
                let agent_name = AGENTS[d.agent];
                c.subject = Some(subject);
                c.thread_id = d.thread.clone();
                if by_customer {
                    c.from = customer;
                    c.to = Some(vec![SUPPORT_EMAIL.to_string()]);
                    let sign = self.who.name.clone().unwrap_or_default();
                    let footer = if self.rng.chance(0.3) {
                        "\n\nSent from my iPhone"
                    } else {
                        ""
                    };
                    c.content = Some(format!("{body}\n\n{sign}{footer}"));
                } else {
                    c.from = Some(SUPPORT_EMAIL.to_string());
                    c.to = customer.map(|e| vec![e]);
                    let hello = if body.starts_with("Hi ") {
                        String::new()
                    } else {
                        format!("Hi {},\n\n", self.who.greeting)
                    };
                    c.content = Some(format!(
                        "{hello}{body}\n\nBest,\n{agent_name}\nNorthwind Goods Support"
                    ));
                }
            }
            Channel::Sms | Channel::Whatsapp => {
                let phone = self.primary_phone().map(str::to_string);
                if by_customer {
                    c.from = phone;
                    c.to = Some(vec![SUPPORT_PHONE.to_string()]);
                } else {
                    c.from = Some(SUPPORT_PHONE.to_string());
                    c.to = phone.map(|p| vec![p]);
                }
                c.content = Some(body);
            }
            _ => c.content = Some(body),
        }
        self.maybe_attach(&mut item, channel, by_customer, d);
        self.push(d, item);
    }

    fn maybe_attach(&mut self, item: &mut ItemDoc, channel: Channel, by_customer: bool, d: &Draft) {
        let p = match (channel, by_customer) {
            (Channel::Email, true) if d.topic.name == "Damaged item" => 0.8,
            (Channel::Email, true) => 0.12,
            (Channel::Email, false) => 0.1,
            (Channel::Chat | Channel::Whatsapp | Channel::Instagram, true) => 0.05,
            _ => 0.0,
        };
        if p == 0.0 || !self.rng.chance(p) {
            return;
        }
        let n = if by_customer && self.rng.chance(0.25) {
            2
        } else {
            1
        };
        let number = self
            .orders
            .get(d.order)
            .map(|o| o.number.trim_start_matches('#').to_string())
            .unwrap_or_else(|| "1001".into());
        for _ in 0..n {
            let (kind, filename) = if by_customer {
                match self.rng.below(4) {
                    0 => (Kind::Png, format!("Screenshot_{}.png", self.rng.digits(8))),
                    1 => (Kind::Pdf, "receipt.pdf".to_string()),
                    _ => (Kind::Jpeg, format!("IMG_{}.jpg", self.rng.digits(4))),
                }
            } else if d.topic.name == "Return request" {
                (Kind::Pdf, format!("return-label-{number}.pdf"))
            } else {
                (Kind::Pdf, format!("invoice-{number}.pdf"))
            };
            self.attachments += 1;
            let att_id = id("att", self.seed, self.counter(self.attachments));
            let size = self.rng.range(200, 3000) as usize;
            let (data, len) = media::file(kind, &att_id, size, &mut self.rng);
            item.content.attachments.push(AttachmentDoc {
                id: att_id,
                content_type: Some(kind.content_type().to_string()),
                filename: Some(filename),
                file_size: len,
                deleted_at: None,
                data: Some(data),
            });
        }
    }

    fn recording(&mut self, seconds: i64) -> RecordingDoc {
        self.recordings += 1;
        let rec_id = id("rec", self.seed, self.counter(self.recordings));
        let size = (400 + seconds * 3).min(3000) as usize;
        let (data, len) = media::file(Kind::Wav, &rec_id, size, &mut self.rng);
        RecordingDoc {
            id: rec_id,
            content_type: Some(Kind::Wav.content_type().to_string()),
            duration_seconds: Some(seconds),
            file_size: len,
            deleted_at: None,
            data: Some(data),
        }
    }

    fn call(&mut self, d: &mut Draft, by_customer: bool) {
        let by = if by_customer {
            InitiatorType::Customer
        } else {
            InitiatorType::Agent
        };
        let mut item = self.item(ContentType::PhoneCall, by, d.agent);
        let seconds = self.rng.range(30, 1200);
        let phone = self.primary_phone().unwrap_or(SUPPORT_PHONE).to_string();
        let (from, to) = if by_customer {
            (phone, SUPPORT_PHONE.to_string())
        } else {
            (SUPPORT_PHONE.to_string(), phone)
        };
        item.content.from = Some(from);
        item.content.to = Some(vec![to]);
        item.content.duration = Some(seconds);
        item.content.recording = Some(self.recording(seconds));
        self.push(d, item);
        d.t += seconds * 1000;
    }

    fn voicemail(&mut self, d: &mut Draft) {
        let mut item = self.item(ContentType::Voicemail, InitiatorType::Customer, d.agent);
        let seconds = self.rng.range(10, 90);
        let transcript = if self.rng.chance(PII_RATE * 2.0) {
            self.facts.pii_messages += 1;
            let phone = self.primary_phone().unwrap_or(SUPPORT_PHONE).to_string();
            format!(
                "Hi, it's {}. Please call me back on {phone}. Thanks.",
                self.who.greeting
            )
        } else {
            let line = *self.rng.pick(text::VOICEMAILS);
            self.say(d, line)
        };
        item.content.from = self.primary_phone().map(str::to_string);
        item.content.to = Some(vec![SUPPORT_PHONE.to_string()]);
        item.content.content = Some(transcript);
        item.content.duration = Some(seconds);
        item.content.recording = Some(self.recording(seconds));
        self.push(d, item);
    }

    fn note(&mut self, d: &mut Draft, lines: &'static [&'static str]) {
        let mut item = self.item(ContentType::ConversationNote, InitiatorType::Agent, d.agent);
        let line = *self.rng.pick(lines);
        item.content.content = Some(self.say(d, line));
        self.push(d, item);
    }

    fn topic_change(&mut self, d: &mut Draft) {
        let mut item = self.item(ContentType::TopicChange, InitiatorType::Agent, d.agent);
        item.content
            .extra
            .insert("topic".into(), Value::String(d.topic.name.into()));
        self.push(d, item);
    }

    fn activity(
        &mut self,
        source: &str,
        kind: &str,
        title: String,
        body: Option<String>,
    ) -> ItemDoc {
        let mut item = self.item(ContentType::CustomerActivity, InitiatorType::App, 0);
        item.initiator.id = Some(format!("app_{}", source.to_lowercase()));
        let c = &mut item.content;
        c.subject = Some(title);
        c.content = body;
        c.extra
            .insert("activityType".into(), Value::String(kind.into()));
        c.extra
            .insert("sourceName".into(), Value::String(source.into()));
        item
    }

    fn order_activity(&mut self, d: &mut Draft, what: &str) {
        let Some(o) = self.orders.get(d.order) else {
            return;
        };
        let title = format!("Order {} {what}", o.number);
        let body = format!("{} tracking number {}", o.carrier, o.tracking);
        let link = format!("{STORE_URL}{}", o.number.trim_start_matches('#'));
        let mut item = self.activity("Shopify", "ORDER", title, Some(body));
        item.content
            .extra
            .insert("link".into(), Value::String(link));
        self.push(d, item);
    }

    fn csat(&mut self) -> ItemDoc {
        let rating = *self.rng.pick(&[5, 5, 5, 4, 4, 3, 2, 1]);
        self.csat.push(rating);
        let comment = *self.rng.pick(text::CSAT_COMMENTS);
        let body = if comment.is_empty() {
            format!("Rating: {rating}/5")
        } else {
            format!("Rating: {rating}/5. \"{comment}\"")
        };
        let mut item = self.activity(
            "Stella",
            "SURVEY",
            "Customer satisfaction survey".into(),
            Some(body),
        );
        item.content.extra.insert("rating".into(), json!(rating));
        item
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

    fn orders(&mut self, created: Millis, last: Millis) -> Vec<(Millis, usize, Vec<(usize, i64)>)> {
        let n = if self.rng.chance(0.35) {
            0
        } else {
            self.rng.range(1, 5) as usize
        };
        let until = (last + 30 * DAY_MS).min(self.anchor - HOUR);
        let mut placed: Vec<Millis> = (0..n)
            .map(|_| self.rng.range(created, until.max(created)))
            .collect();
        placed.sort_unstable();
        let mut out = Vec::with_capacity(n);
        for (j, at) in placed.into_iter().enumerate() {
            let lines: Vec<(usize, i64)> = (0..self.rng.range(1, 3))
                .map(|_| {
                    (
                        self.rng.below(text::PRODUCTS.len() as u64) as usize,
                        self.rng.range(1, 2),
                    )
                })
                .collect();
            let carrier = *self.rng.pick(text::CARRIERS);
            let tracking = tracking_number(&mut self.rng, carrier);
            self.orders.push(OrderRef {
                number: format!("#{}", 1001 + self.index * 8 + j as u64),
                product: text::PRODUCTS[lines[0].0].1,
                tracking,
                carrier,
            });
            out.push((at, j, lines));
        }
        out
    }

    fn order_docs(&mut self, orders: Vec<(Millis, usize, Vec<(usize, i64)>)>) -> Vec<OrderDoc> {
        let locale = self.who.locale;
        let rate = currency_rate(locale.currency);
        let address = self.who.addresses.first().cloned();
        let name = self.who.name.clone();
        orders
            .into_iter()
            .map(|(at, j, lines)| {
                let r = &self.orders[j];
                let mut total = 0;
                let line_items: Vec<Value> = lines
                    .iter()
                    .map(|&(p, qty)| {
                        let (sku, title, cents) = text::PRODUCTS[p];
                        let price = (cents as f64 * rate) as i64;
                        total += price * qty;
                        json!({
                            "sku": sku,
                            "title": title,
                            "quantity": qty,
                            "price": format!("{}.{:02}", price / 100, price % 100),
                        })
                    })
                    .collect();
                let age = self.anchor - at;
                let status = if age < 3 * DAY_MS {
                    "open"
                } else if age < 10 * DAY_MS {
                    "fulfilled"
                } else {
                    match self.rng.below(14) {
                        0 => "refunded",
                        1 => "cancelled",
                        _ => "delivered",
                    }
                };
                let mut details = Map::new();
                details.insert("lineItems".into(), Value::Array(line_items));
                if let Some(a) = &address {
                    details.insert(
                        "shippingAddress".into(),
                        json!({
                            "name": name,
                            "line1": a.line1,
                            "city": a.city,
                            "postalCode": a.postal_code,
                            "country": a.country,
                        }),
                    );
                }
                if status != "open" && status != "cancelled" {
                    details.insert(
                        "fulfillments".into(),
                        json!([{ "carrier": r.carrier, "trackingNumber": r.tracking }]),
                    );
                }
                OrderDoc {
                    id: id("ord", self.seed, self.counter(j as u64)),
                    source: Some("shopify".into()),
                    number: Some(r.number.clone()),
                    placed_at: clock::format_ms(at),
                    status: Some(status.into()),
                    total_cents: Some(total),
                    currency: Some(locale.currency.into()),
                    details: Value::Object(details),
                }
            })
            .collect()
    }

    fn app_data(&mut self, orders: &[OrderDoc], newest: Millis) -> Vec<AppDataDoc> {
        let mut out = vec![];
        if self.rng.chance(0.5) && !self.who.emails.is_empty() {
            let lists: &[&str] = if self.rng.chance(0.3) {
                &["Newsletter", "VIP"]
            } else {
                &["Newsletter"]
            };
            out.push(AppDataDoc {
                app: "Klaviyo".into(),
                payload: json!({
                    "profileId": format!("01H{}", self.rng.digits(10)),
                    "subscribed": self.rng.chance(0.7),
                    "lists": lists,
                }),
                updated_at: clock::format_ms(newest),
            });
        }
        if let Some(last) = orders.last() {
            let spent: i64 = orders.iter().filter_map(|o| o.total_cents).sum();
            out.push(AppDataDoc {
                app: "Shopify".into(),
                payload: json!({
                    "customerId": self.who.shopify_id,
                    "ordersCount": orders.len(),
                    "totalSpent": format!("{}.{:02}", spent / 100, spent % 100),
                    "currency": last.currency,
                }),
                updated_at: last.placed_at.clone(),
            });
        }
        if let Some(&rating) = self.csat.last() {
            out.push(AppDataDoc {
                app: "Stella".into(),
                payload: json!({ "responses": self.csat.len(), "lastRating": rating }),
                updated_at: clock::format_ms(newest),
            });
        }
        out
    }

    fn attributes(&mut self, orders: &[OrderDoc]) -> Map<String, Value> {
        let mut m = Map::new();
        if orders.is_empty() && self.rng.chance(0.5) {
            return m;
        }
        let spent: i64 = orders.iter().filter_map(|o| o.total_cents).sum();
        let tier = match spent {
            0..=5_000 => text::TIERS[0],
            5_001..=20_000 => text::TIERS[1],
            20_001..=60_000 => text::TIERS[2],
            _ => text::TIERS[3],
        };
        m.insert("loyaltyTier".into(), Value::String(tier.into()));
        m.insert(
            "lifetimeValue".into(),
            Value::String(format!("{}.{:02}", spent / 100, spent % 100)),
        );
        m.insert(
            "preferredLanguage".into(),
            Value::String(self.who.locale.language.into()),
        );
        m.insert(
            "marketingOptIn".into(),
            Value::String(self.rng.chance(0.6).to_string()),
        );
        if self.rng.chance(0.15) {
            let birthday = format!(
                "{}-{:02}-{:02}",
                self.rng.range(1950, 2005),
                self.rng.range(1, 12),
                self.rng.range(1, 28)
            );
            m.insert("birthday".into(), Value::String(birthday));
        }
        m
    }
}

fn currency_rate(currency: &str) -> f64 {
    match currency {
        "EUR" => 0.92,
        "GBP" => 0.79,
        "MXN" => 17.0,
        "JPY" => 150.0,
        "CNY" => 7.2,
        "KRW" => 1350.0,
        "INR" => 83.0,
        "BRL" => 5.0,
        "PLN" => 4.0,
        "SEK" => 10.5,
        "AUD" => 1.5,
        _ => 1.0,
    }
}

fn tracking_number(rng: &mut Rng, carrier: &str) -> String {
    match carrier {
        "UPS" => {
            let mid: String = (0..6)
                .map(|_| {
                    *rng.pick(&[
                        'A', 'E', 'W', 'X', '1', '2', '3', '4', '5', '6', '7', '8', '9',
                    ])
                })
                .collect();
            format!("1Z{mid}03{}", rng.digits(8))
        }
        "USPS" => format!(
            "9400 1{} {} {} {} {}",
            rng.digits(3),
            rng.digits(4),
            rng.digits(4),
            rng.digits(4),
            rng.digits(2)
        ),
        "FedEx" => rng.digits(12),
        "DHL" => rng.digits(10),
        "Royal Mail" => format!("RM{}GB", rng.digits(9)),
        _ => format!("6A{}", rng.digits(11)),
    }
}
