//! Conversations on each channel: the messages, calls, voicemails, notes
//! and app activity inside them.

use serde_json::{json, Value};

use crate::clock::Millis;
use crate::format::*;

use super::super::id;
use super::super::media::{self, Kind};
use super::super::names::AGENTS;
use super::super::pasted;
use super::super::text::{self, Topic, TOPICS};
use super::{Gen, HOUR, MINUTE, PII_RATE, STORE_URL, SUPPORT_EMAIL, SUPPORT_PHONE};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Channel {
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
    pub(super) fn message_type(self) -> ContentType {
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

    pub(super) fn name(self) -> &'static str {
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
    pub(super) fn pace(self) -> (Millis, Millis) {
        match self {
            Channel::Chat => (20_000, 4 * MINUTE),
            Channel::Email => (30 * MINUTE, 30 * HOUR),
            Channel::Sms | Channel::Whatsapp => (2 * MINUTE, 5 * HOUR),
            _ => (5 * MINUTE, 10 * HOUR),
        }
    }
}

/// One conversation under construction: items at offsets from its start.
pub(super) struct Draft {
    pub(super) items: Vec<(Millis, ItemDoc)>,
    pub(super) t: Millis,
    pub(super) last_contact: Millis,
    pub(super) topic: &'static Topic,
    pub(super) order: usize,
    pub(super) agent: usize,
    pub(super) sessions: Vec<(usize, Millis, Option<Millis>)>,
    pub(super) subject: Option<String>,
    pub(super) thread: Option<String>,
    /// Messages so far, so lines are taken in turn and not repeated.
    pub(super) turn: usize,
}

impl Gen {
    pub(super) fn pick_channel(&mut self) -> Channel {
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
    pub(super) fn say(&self, d: &Draft, template: &str) -> String {
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
    pub(super) fn customer_text(&mut self, d: &Draft, lines: &'static [&'static str]) -> String {
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

    pub(super) fn conversation(&mut self, budget: usize) -> Draft {
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

    pub(super) fn push(&mut self, d: &mut Draft, item: ItemDoc) {
        if item.content.kind.is_contact() {
            d.last_contact = d.t;
        }
        d.items.push((d.t, item));
    }

    pub(super) fn message(&mut self, d: &mut Draft, channel: Channel, by_customer: bool) {
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

    pub(super) fn maybe_attach(
        &mut self,
        item: &mut ItemDoc,
        channel: Channel,
        by_customer: bool,
        d: &Draft,
    ) {
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

    pub(super) fn recording(&mut self, seconds: i64) -> RecordingDoc {
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

    pub(super) fn call(&mut self, d: &mut Draft, by_customer: bool) {
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

    pub(super) fn voicemail(&mut self, d: &mut Draft) {
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

    pub(super) fn note(&mut self, d: &mut Draft, lines: &'static [&'static str]) {
        let mut item = self.item(ContentType::ConversationNote, InitiatorType::Agent, d.agent);
        let line = *self.rng.pick(lines);
        item.content.content = Some(self.say(d, line));
        self.push(d, item);
    }

    pub(super) fn topic_change(&mut self, d: &mut Draft) {
        let mut item = self.item(ContentType::TopicChange, InitiatorType::Agent, d.agent);
        item.content
            .extra
            .insert("topic".into(), Value::String(d.topic.name.into()));
        self.push(d, item);
    }

    pub(super) fn activity(
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

    pub(super) fn order_activity(&mut self, d: &mut Draft, what: &str) {
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

    pub(super) fn csat(&mut self) -> ItemDoc {
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
}
