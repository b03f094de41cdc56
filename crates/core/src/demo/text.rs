//! What the demo customers and agents say. Each topic has its own lines so a
//! conversation stays on one subject from first message to close.
//! `{order}`, `{product}`, `{agent}`, `{first}` and `{tracking}` are filled in.

pub struct Topic {
    pub name: &'static str,
    pub subject: &'static str,
    pub openers: &'static [&'static str],
    pub follow_ups: &'static [&'static str],
    pub replies: &'static [&'static str],
    pub notes: &'static [&'static str],
}

pub const TOPICS: &[Topic] = &[
    Topic {
        name: "Where is my order",
        subject: "Where is my order {order}?",
        openers: &[
            "Hi, I ordered {product} last week (order {order}) and it still hasn't arrived. Can you check?",
            "Hello, my tracking number {tracking} hasn't updated in 5 days. Is my package lost?",
            "hey where is my order {order}?? it said 3-5 days",
            "Good morning, could you tell me when order {order} will ship? I need it before the weekend.",
        ],
        follow_ups: &[
            "Thanks. The tracking page just says label created.",
            "Ok, I'll wait until Friday then.",
            "It's a gift so I really need it by the 20th.",
            "Still nothing today, sorry to bother you again.",
        ],
        replies: &[
            "Hi {first}, thanks for reaching out! I checked order {order} and it left our warehouse yesterday; tracking is {tracking}.",
            "I'm sorry about the delay, {first}. The carrier shows a scan in transit, so it should arrive within 2 business days.",
            "I've opened a trace with the carrier and I'll update you as soon as I hear back.",
            "Good news: it's out for delivery today. Let me know if it doesn't show up!",
        ],
        notes: &[
            "Carrier trace opened with UPS, ref attached to order.",
            "Customer asked for delivery before the 20th; flagged for expedite.",
        ],
    },
    Topic {
        name: "Return request",
        subject: "Return for order {order}",
        openers: &[
            "Hi! The {product} doesn't fit, can I return it for a different size?",
            "I'd like to return {product} from order {order}. How do I get a label?",
            "Hello, I want to send back my order {order}, the colour is not what I expected.",
        ],
        follow_ups: &[
            "Got the label, thank you!",
            "Do I need the original box?",
            "Can I get store credit instead of a refund?",
        ],
        replies: &[
            "Absolutely, {first}! I've emailed you a prepaid return label for order {order}.",
            "No problem. Once the return is scanned by the carrier we'll refund you within 5-7 business days.",
            "You don't need the original box, any sturdy packaging works.",
        ],
        notes: &["Return label sent. Exchange for size L requested.", "RMA created, refund on scan."],
    },
    Topic {
        name: "Damaged item",
        subject: "Damaged {product}",
        openers: &[
            "My {product} arrived broken. I've attached a photo.",
            "The box was crushed and the {product} inside is cracked. Order {order}.",
            "Hi, one of the items in order {order} is damaged, what can you do?",
        ],
        follow_ups: &[
            "Here is another photo of the box.",
            "A replacement would be great, thanks.",
        ],
        replies: &[
            "I'm so sorry, {first}! I've sent a replacement {product} at no charge; no need to return the damaged one.",
            "Thanks for the photos. I've issued a full refund to your original payment method.",
        ],
        notes: &["Photo confirms damage. Replacement shipped, no return required."],
    },
    Topic {
        name: "Billing question",
        subject: "Charged twice?",
        openers: &[
            "I think I was charged twice for order {order}. Can you look into it?",
            "Why is there a pending charge on my card when I cancelled?",
            "Hi, I need an invoice for order {order} for my company.",
        ],
        follow_ups: &[
            "I see it on my statement, it's been 3 days.",
            "Could you send the invoice to my work email?",
        ],
        replies: &[
            "Hi {first}, the second charge is a pre-authorisation and it will drop off within 3-5 days.",
            "I've attached the invoice for order {order}. Let me know if you need anything else!",
        ],
        notes: &["Duplicate auth confirmed in Stripe; no capture. Told customer it will drop off."],
    },
    Topic {
        name: "Change address",
        subject: "Update shipping address",
        openers: &[
            "I just moved, can you change the shipping address on order {order}?",
            "Please update my address before my order ships!",
        ],
        follow_ups: &["Thank you so much!", "Is it too late?"],
        replies: &[
            "Done, {first}! Order {order} will go to your new address.",
            "Unfortunately it already shipped, but I've asked the carrier to redirect it.",
        ],
        notes: &["Address updated in Shopify before fulfilment."],
    },
    Topic {
        name: "Account access",
        subject: "Can't log in",
        openers: &[
            "I can't log in to my account, the reset email never arrives.",
            "Hi, how do I change the email on my account?",
            "My account got locked after too many attempts.",
        ],
        follow_ups: &["Still nothing in my inbox or spam.", "That worked, thanks!"],
        replies: &[
            "I've sent a new reset link, {first}. It can take a few minutes and sometimes lands in spam.",
            "I've unlocked your account; you can sign in again now.",
        ],
        notes: &["Identity verified with order number and postcode before unlocking."],
    },
    Topic {
        name: "Product question",
        subject: "Question about {product}",
        openers: &[
            "Is the {product} machine washable?",
            "Do you have the {product} in a larger size? It shows sold out.",
            "Quick question: does the {product} come with a warranty?",
        ],
        follow_ups: &["Great, I'll order it then.", "When will it be back in stock?"],
        replies: &[
            "Yes! Cold wash, hang dry, and it will last for years.",
            "It's back in stock on the 15th; I can notify you when it is.",
            "Every {product} has a 2-year warranty.",
        ],
        notes: &["Back-in-stock alert set for customer."],
    },
    Topic {
        name: "Cancel subscription",
        subject: "Cancel my subscription",
        openers: &[
            "Please cancel my subscription, I'm moving abroad.",
            "How do I pause my monthly box?",
        ],
        follow_ups: &["Yes, please cancel it.", "Pausing works, thanks."],
        replies: &[
            "I've cancelled your subscription, {first}; you won't be charged again.",
            "Your subscription is paused for 2 months. You can resume any time.",
        ],
        notes: &["Offered 20% retention discount; customer declined. Cancelled."],
    },
];

pub const PRODUCTS: &[(&str, &str, i64)] = &[
    ("TEE-BLK-M", "Organic Cotton Tee - Black / M", 2800),
    ("HOOD-GRY-L", "Everyday Hoodie - Heather Grey / L", 6800),
    ("MUG-CER-12", "Ceramic Mug 12oz", 1800),
    ("BOT-STL-750", "Insulated Bottle 750ml", 3400),
    ("BAG-CNV-TOTE", "Canvas Tote Bag", 2200),
    ("SNK-WHT-42", "Court Sneaker - White / 42", 11000),
    ("LMP-DSK-OAK", "Oak Desk Lamp", 8900),
    ("CND-SOY-FIG", "Fig & Cedar Soy Candle", 3200),
    ("SCF-WOOL-NVY", "Merino Scarf - Navy", 5400),
    ("HDP-BT-PRO", "Wireless Headphones Pro", 19900),
];

pub const AGENT_CLOSINGS: &[&str] = &[
    "Is there anything else I can help you with today?",
    "Have a great day, {first}!",
    "Thanks for your patience!",
];

pub const CUSTOMER_THANKS: &[&str] = &[
    "Thank you!",
    "thanks!!",
    "Perfect, thanks for the quick help.",
    "ok great",
];

pub const VOICEMAILS: &[&str] = &[
    "Hi, this is {first}, calling about order {order}. It hasn't arrived yet. Please call me back, thanks.",
    "Hello, it's {first}. I was charged twice I think, could someone call me back? Thank you.",
    "Hi, um, I'm calling about a return. My order number is {order}. Call me back when you can.",
];

pub const CALL_NOTES: &[&str] = &[
    "Called customer back, explained the delay and offered free shipping on the next order.",
    "Customer called about a return; label sent by email during the call.",
    "Inbound call, verified identity, refunded shipping.",
];

/// Marketing emails from Klaviyo, as activity titles.
pub const CAMPAIGNS: &[&str] = &[
    "Opened email \"Spring Collection is here\"",
    "Clicked email \"Last chance: 20% off\"",
    "Received email \"Your cart misses you\"",
    "Opened email \"VIP early access\"",
    "Unsubscribed from \"Weekly newsletter\"",
];

pub const CSAT_COMMENTS: &[&str] = &[
    "Super fast and friendly, thank you!",
    "Took a while but it got sorted.",
    "Agent was great.",
    "Still waiting on my refund.",
    "",
];

pub const CARRIERS: &[&str] = &["UPS", "USPS", "FedEx", "DHL", "Royal Mail", "Colissimo"];

pub const TIERS: &[&str] = &["Bronze", "Silver", "Gold", "Platinum"];

/// Fills `{...}` placeholders in one pass.
pub fn fill(template: &str, first: &str, order: &str, product: &str, tracking: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find('}') else {
            out.push_str(after);
            return out;
        };
        match &after[1..end] {
            "first" => out.push_str(first),
            "order" => out.push_str(order),
            "product" => out.push_str(product),
            "tracking" => out.push_str(tracking),
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_placeholders_only() {
        assert_eq!(
            fill("Hi {first}, {order} {x}", "Ana", "#1001", "", ""),
            "Hi Ana, #1001 {x}"
        );
    }
}
