//! Orders, app data and custom attributes: what the shop and its apps know
//! about a customer.

use serde_json::{json, Map, Value};

use crate::clock::{self, Millis, DAY_MS};
use crate::format::*;

use super::super::id;
use super::super::rng::Rng;
use super::super::text;
use super::{Gen, OrderRef, HOUR};

/// An order before it becomes a document: when, its index among the
/// customer's orders, and its lines (product index, quantity).
pub(super) type PlacedOrder = (Millis, usize, Vec<(usize, i64)>);

impl Gen {
    pub(super) fn orders(&mut self, created: Millis, last: Millis) -> Vec<PlacedOrder> {
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

    pub(super) fn order_docs(&mut self, orders: Vec<PlacedOrder>) -> Vec<OrderDoc> {
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

    pub(super) fn app_data(&mut self, orders: &[OrderDoc], newest: Millis) -> Vec<AppDataDoc> {
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

    pub(super) fn attributes(&mut self, orders: &[OrderDoc]) -> Map<String, Value> {
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
