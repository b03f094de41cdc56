//! Who the demo customers are: names, addresses and phone numbers by
//! country, so a profile reads like one person from one place.

use super::rng::Rng;

/// A name as written, and its ASCII form for email addresses.
pub type Name = (&'static str, &'static str);

pub struct Locale {
    pub country: &'static str,
    pub language: &'static str,
    pub currency: &'static str,
    /// Relative share of customers.
    pub weight: u32,
    /// East Asian order: family name first.
    pub family_first: bool,
    /// CJK names are written without a space between the parts.
    pub joined: bool,
    pub first: &'static [Name],
    pub last: &'static [Name],
    pub cities: &'static [(&'static str, &'static str, &'static str)],
    pub streets: &'static [&'static str],
    pub domains: &'static [&'static str],
    pub phone: fn(&mut Rng) -> String,
}

pub const LOCALES: &[Locale] = &[
    Locale {
        country: "US",
        language: "en",
        currency: "USD",
        weight: 40,
        family_first: false,
        joined: false,
        first: &[
            ("James", "james"),
            ("Mary", "mary"),
            ("Michael", "michael"),
            ("Jennifer", "jennifer"),
            ("David", "david"),
            ("Linda", "linda"),
            ("Chris", "chris"),
            ("Ashley", "ashley"),
            ("Tyler", "tyler"),
            ("Brianna", "brianna"),
            ("Marcus", "marcus"),
            ("Keisha", "keisha"),
            ("DeShawn", "deshawn"),
            ("Emily", "emily"),
            ("Jordan", "jordan"),
            ("Megan", "megan"),
            ("Robert", "robert"),
            ("Patricia", "patricia"),
            ("Kevin", "kevin"),
            ("Samantha", "samantha"),
            ("Luis", "luis"),
            ("Ana", "ana"),
            ("Nguyen", "nguyen"),
            ("Dakota", "dakota"),
        ],
        last: &[
            ("Smith", "smith"),
            ("Johnson", "johnson"),
            ("Williams", "williams"),
            ("Brown", "brown"),
            ("Jones", "jones"),
            ("Garcia", "garcia"),
            ("Miller", "miller"),
            ("Davis", "davis"),
            ("Rodriguez", "rodriguez"),
            ("Martinez", "martinez"),
            ("Wilson", "wilson"),
            ("Anderson", "anderson"),
            ("Thomas", "thomas"),
            ("Taylor", "taylor"),
            ("Moore", "moore"),
            ("Jackson", "jackson"),
            ("O'Brien", "obrien"),
            ("Nguyen", "nguyen"),
            ("Kim", "kim"),
            ("Patel", "patel"),
            ("Washington", "washington"),
            ("Okafor", "okafor"),
            ("Kowalski", "kowalski"),
            ("Rivera", "rivera"),
        ],
        cities: &[
            ("San Francisco", "CA", "941"),
            ("Los Angeles", "CA", "900"),
            ("Seattle", "WA", "981"),
            ("Austin", "TX", "787"),
            ("Houston", "TX", "770"),
            ("Chicago", "IL", "606"),
            ("New York", "NY", "100"),
            ("Brooklyn", "NY", "112"),
            ("Boston", "MA", "021"),
            ("Atlanta", "GA", "303"),
            ("Miami", "FL", "331"),
            ("Denver", "CO", "802"),
            ("Portland", "OR", "972"),
            ("Phoenix", "AZ", "850"),
            ("Minneapolis", "MN", "554"),
        ],
        streets: &[
            "Main St",
            "Oak Ave",
            "Maple Dr",
            "Market St",
            "Mission St",
            "Elm St",
            "Sunset Blvd",
            "Lakeview Ct",
            "Pine St",
            "Cedar Ln",
            "Valencia St",
            "Washington Ave",
        ],
        domains: &[
            "gmail.com",
            "yahoo.com",
            "outlook.com",
            "icloud.com",
            "hotmail.com",
            "aol.com",
            "comcast.net",
        ],
        phone: us_phone,
    },
    Locale {
        country: "GB",
        language: "en",
        currency: "GBP",
        weight: 10,
        family_first: false,
        joined: false,
        first: &[
            ("Oliver", "oliver"),
            ("Amelia", "amelia"),
            ("Harry", "harry"),
            ("Isla", "isla"),
            ("George", "george"),
            ("Siobhan", "siobhan"),
            ("Callum", "callum"),
            ("Priya", "priya"),
            ("Rhys", "rhys"),
            ("Niamh", "niamh"),
            ("Alfie", "alfie"),
            ("Poppy", "poppy"),
        ],
        last: &[
            ("Smith", "smith"),
            ("Jones", "jones"),
            ("Evans", "evans"),
            ("Thompson", "thompson"),
            ("Wright", "wright"),
            ("Walker", "walker"),
            ("Hughes", "hughes"),
            ("Khan", "khan"),
            ("MacDonald", "macdonald"),
            ("Fitzgerald", "fitzgerald"),
            ("Ahmed", "ahmed"),
        ],
        cities: &[
            ("London", "Greater London", "SW1A"),
            ("Manchester", "Greater Manchester", "M1"),
            ("Leeds", "West Yorkshire", "LS1"),
            ("Bristol", "Bristol", "BS1"),
            ("Edinburgh", "Scotland", "EH1"),
            ("Cardiff", "Wales", "CF10"),
        ],
        streets: &[
            "High Street",
            "Station Road",
            "Church Lane",
            "Victoria Road",
            "Park Avenue",
            "Queen's Road",
        ],
        domains: &[
            "gmail.com",
            "btinternet.com",
            "hotmail.co.uk",
            "outlook.com",
            "yahoo.co.uk",
        ],
        phone: gb_phone,
    },
    Locale {
        country: "FR",
        language: "fr",
        currency: "EUR",
        weight: 7,
        family_first: false,
        joined: false,
        first: &[
            ("Hélène", "helene"),
            ("François", "francois"),
            ("Chloé", "chloe"),
            ("Léa", "lea"),
            ("Jérôme", "jerome"),
            ("Amélie", "amelie"),
            ("Théo", "theo"),
            ("Zoé", "zoe"),
            ("Mathis", "mathis"),
            ("Inès", "ines"),
            ("Gaël", "gael"),
            ("Camille", "camille"),
        ],
        last: &[
            ("Lefèvre", "lefevre"),
            ("Dubois", "dubois"),
            ("Moreau", "moreau"),
            ("Girard", "girard"),
            ("Lemaître", "lemaitre"),
            ("Bérenger", "berenger"),
            ("Rousseau", "rousseau"),
            ("Benoît", "benoit"),
            ("Fontaine", "fontaine"),
            ("Chevalier", "chevalier"),
        ],
        cities: &[
            ("Paris", "Île-de-France", "75011"),
            ("Lyon", "Auvergne-Rhône-Alpes", "69003"),
            ("Marseille", "Provence-Alpes-Côte d'Azur", "13001"),
            ("Nantes", "Pays de la Loire", "44000"),
            ("Bordeaux", "Nouvelle-Aquitaine", "33000"),
        ],
        streets: &[
            "rue de la République",
            "avenue Jean Jaurès",
            "rue Victor Hugo",
            "boulevard Saint-Michel",
            "rue des Écoles",
        ],
        domains: &["orange.fr", "gmail.com", "free.fr", "laposte.net", "sfr.fr"],
        phone: fr_phone,
    },
    Locale {
        country: "DE",
        language: "de",
        currency: "EUR",
        weight: 7,
        family_first: false,
        joined: false,
        first: &[
            ("Jürgen", "juergen"),
            ("Sören", "soeren"),
            ("Anna", "anna"),
            ("Lukas", "lukas"),
            ("Jörg", "joerg"),
            ("Lena", "lena"),
            ("Maximilian", "maximilian"),
            ("Käthe", "kaethe"),
            ("Felix", "felix"),
            ("Emine", "emine"),
        ],
        last: &[
            ("Müller", "mueller"),
            ("Schäfer", "schaefer"),
            ("Weiß", "weiss"),
            ("Schmidt", "schmidt"),
            ("Becker", "becker"),
            ("Köhler", "koehler"),
            ("Hoffmann", "hoffmann"),
            ("Yılmaz", "yilmaz"),
            ("Groß", "gross"),
            ("Wagner", "wagner"),
        ],
        cities: &[
            ("Berlin", "Berlin", "10115"),
            ("München", "Bayern", "80331"),
            ("Hamburg", "Hamburg", "20095"),
            ("Köln", "Nordrhein-Westfalen", "50667"),
            ("Düsseldorf", "Nordrhein-Westfalen", "40213"),
        ],
        streets: &[
            "Hauptstraße",
            "Schillerstraße",
            "Bahnhofstraße",
            "Gartenweg",
            "Friedrichstraße",
        ],
        domains: &["gmx.de", "web.de", "t-online.de", "gmail.com", "posteo.de"],
        phone: de_phone,
    },
    Locale {
        country: "ES",
        language: "es",
        currency: "EUR",
        weight: 5,
        family_first: false,
        joined: false,
        first: &[
            ("José", "jose"),
            ("María", "maria"),
            ("Lucía", "lucia"),
            ("Álvaro", "alvaro"),
            ("Sofía", "sofia"),
            ("Martín", "martin"),
            ("Inés", "ines"),
            ("Raúl", "raul"),
        ],
        last: &[
            ("García", "garcia"),
            ("Núñez", "nunez"),
            ("Fernández", "fernandez"),
            ("López", "lopez"),
            ("Sánchez", "sanchez"),
            ("Muñoz", "munoz"),
            ("Pérez", "perez"),
            ("Gómez", "gomez"),
        ],
        cities: &[
            ("Madrid", "Madrid", "28013"),
            ("Barcelona", "Cataluña", "08001"),
            ("Valencia", "Comunidad Valenciana", "46001"),
            ("Sevilla", "Andalucía", "41001"),
        ],
        streets: &[
            "Calle Mayor",
            "Gran Vía",
            "Calle de Alcalá",
            "Avenida de la Constitución",
        ],
        domains: &["gmail.com", "hotmail.es", "yahoo.es", "telefonica.net"],
        phone: es_phone,
    },
    Locale {
        country: "MX",
        language: "es",
        currency: "MXN",
        weight: 4,
        family_first: false,
        joined: false,
        first: &[
            ("Guadalupe", "guadalupe"),
            ("Alejandro", "alejandro"),
            ("Ximena", "ximena"),
            ("Jesús", "jesus"),
            ("Valentina", "valentina"),
            ("Iñaki", "inaki"),
        ],
        last: &[
            ("Hernández", "hernandez"),
            ("Ramírez", "ramirez"),
            ("Castañeda", "castaneda"),
            ("Ortiz", "ortiz"),
            ("Morales", "morales"),
            ("Peña", "pena"),
        ],
        cities: &[
            ("Ciudad de México", "CDMX", "06700"),
            ("Guadalajara", "Jalisco", "44100"),
            ("Monterrey", "Nuevo León", "64000"),
        ],
        streets: &[
            "Avenida Reforma",
            "Calle Madero",
            "Avenida Insurgentes Sur",
            "Calle Morelos",
        ],
        domains: &["gmail.com", "hotmail.com", "outlook.com", "prodigy.net.mx"],
        phone: mx_phone,
    },
    Locale {
        country: "JP",
        language: "ja",
        currency: "JPY",
        weight: 4,
        family_first: true,
        joined: false,
        first: &[
            ("太郎", "taro"),
            ("花子", "hanako"),
            ("翔太", "shota"),
            ("さくら", "sakura"),
            ("健一", "kenichi"),
            ("美咲", "misaki"),
            ("大輔", "daisuke"),
            ("陽菜", "hina"),
        ],
        last: &[
            ("山田", "yamada"),
            ("佐藤", "sato"),
            ("鈴木", "suzuki"),
            ("高橋", "takahashi"),
            ("田中", "tanaka"),
            ("渡辺", "watanabe"),
            ("伊藤", "ito"),
            ("中村", "nakamura"),
        ],
        cities: &[
            ("東京都渋谷区", "東京都", "150-0002"),
            ("大阪市北区", "大阪府", "530-0001"),
            ("横浜市西区", "神奈川県", "220-0012"),
        ],
        streets: &["神南1丁目", "梅田2丁目", "みなとみらい3丁目", "道玄坂2丁目"],
        domains: &["gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com"],
        phone: jp_phone,
    },
    Locale {
        country: "CN",
        language: "zh",
        currency: "CNY",
        weight: 3,
        family_first: true,
        joined: true,
        first: &[
            ("芳", "fang"),
            ("伟", "wei"),
            ("秀英", "xiuying"),
            ("磊", "lei"),
            ("静", "jing"),
            ("浩然", "haoran"),
        ],
        last: &[
            ("王", "wang"),
            ("李", "li"),
            ("张", "zhang"),
            ("刘", "liu"),
            ("陈", "chen"),
            ("杨", "yang"),
        ],
        cities: &[
            ("上海市", "上海", "200000"),
            ("北京市", "北京", "100000"),
            ("深圳市", "广东省", "518000"),
        ],
        streets: &["南京东路", "长安街", "深南大道", "淮海中路"],
        domains: &["qq.com", "163.com", "126.com", "gmail.com"],
        phone: cn_phone,
    },
    Locale {
        country: "KR",
        language: "ko",
        currency: "KRW",
        weight: 2,
        family_first: true,
        joined: true,
        first: &[
            ("민준", "minjun"),
            ("서연", "seoyeon"),
            ("지호", "jiho"),
            ("하은", "haeun"),
            ("도윤", "doyun"),
        ],
        last: &[
            ("김", "kim"),
            ("이", "lee"),
            ("박", "park"),
            ("최", "choi"),
            ("정", "jung"),
        ],
        cities: &[
            ("서울특별시 강남구", "서울", "06236"),
            ("부산광역시 해운대구", "부산", "48094"),
        ],
        streets: &["테헤란로", "해운대로", "강남대로"],
        domains: &["naver.com", "daum.net", "gmail.com", "kakao.com"],
        phone: kr_phone,
    },
    Locale {
        country: "IN",
        language: "en",
        currency: "INR",
        weight: 5,
        family_first: false,
        joined: false,
        first: &[
            ("Priya", "priya"),
            ("Arjun", "arjun"),
            ("Ananya", "ananya"),
            ("Rahul", "rahul"),
            ("Deepika", "deepika"),
            ("Vikram", "vikram"),
            ("Lakshmi", "lakshmi"),
        ],
        last: &[
            ("Sharma", "sharma"),
            ("Iyer", "iyer"),
            ("Reddy", "reddy"),
            ("Gupta", "gupta"),
            ("Banerjee", "banerjee"),
            ("Nair", "nair"),
            ("Singh", "singh"),
        ],
        cities: &[
            ("Bengaluru", "Karnataka", "560001"),
            ("Mumbai", "Maharashtra", "400001"),
            ("Chennai", "Tamil Nadu", "600001"),
        ],
        streets: &["MG Road", "Brigade Road", "Linking Road", "Anna Salai"],
        domains: &["gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com"],
        phone: in_phone,
    },
    Locale {
        country: "BR",
        language: "pt",
        currency: "BRL",
        weight: 4,
        family_first: false,
        joined: false,
        first: &[
            ("João", "joao"),
            ("Conceição", "conceicao"),
            ("Luíza", "luiza"),
            ("Thiago", "thiago"),
            ("Letícia", "leticia"),
            ("Gonçalo", "goncalo"),
        ],
        last: &[
            ("Silva", "silva"),
            ("Gonçalves", "goncalves"),
            ("Araújo", "araujo"),
            ("Magalhães", "magalhaes"),
            ("Souza", "souza"),
            ("Conceição", "conceicao"),
        ],
        cities: &[
            ("São Paulo", "SP", "01310-100"),
            ("Rio de Janeiro", "RJ", "22041-001"),
            ("Belo Horizonte", "MG", "30130-010"),
        ],
        streets: &[
            "Avenida Paulista",
            "Rua Augusta",
            "Avenida Atlântica",
            "Rua da Bahia",
        ],
        domains: &["gmail.com", "hotmail.com", "uol.com.br", "bol.com.br"],
        phone: br_phone,
    },
    Locale {
        country: "PL",
        language: "pl",
        currency: "PLN",
        weight: 2,
        family_first: false,
        joined: false,
        first: &[
            ("Łukasz", "lukasz"),
            ("Małgorzata", "malgorzata"),
            ("Paweł", "pawel"),
            ("Zofia", "zofia"),
            ("Wojciech", "wojciech"),
        ],
        last: &[
            ("Kowalczyk", "kowalczyk"),
            ("Wiśniewska", "wisniewska"),
            ("Wójcik", "wojcik"),
            ("Zieliński", "zielinski"),
            ("Dąbrowski", "dabrowski"),
        ],
        cities: &[
            ("Warszawa", "Mazowieckie", "00-001"),
            ("Kraków", "Małopolskie", "30-001"),
            ("Gdańsk", "Pomorskie", "80-001"),
        ],
        streets: &["ul. Marszałkowska", "ul. Floriańska", "ul. Długa"],
        domains: &["wp.pl", "onet.pl", "gmail.com", "interia.pl"],
        phone: pl_phone,
    },
    Locale {
        country: "SE",
        language: "sv",
        currency: "SEK",
        weight: 2,
        family_first: false,
        joined: false,
        first: &[
            ("Åsa", "asa"),
            ("Björn", "bjorn"),
            ("Linnéa", "linnea"),
            ("Måns", "mans"),
            ("Elin", "elin"),
        ],
        last: &[
            ("Andersson", "andersson"),
            ("Ångström", "angstrom"),
            ("Lindqvist", "lindqvist"),
            ("Öberg", "oberg"),
            ("Nilsson", "nilsson"),
        ],
        cities: &[
            ("Stockholm", "Stockholms län", "111 22"),
            ("Göteborg", "Västra Götaland", "411 01"),
            ("Malmö", "Skåne", "211 20"),
        ],
        streets: &["Drottninggatan", "Kungsgatan", "Storgatan"],
        domains: &["gmail.com", "telia.com", "hotmail.se"],
        phone: se_phone,
    },
    Locale {
        country: "NL",
        language: "nl",
        currency: "EUR",
        weight: 2,
        family_first: false,
        joined: false,
        first: &[
            ("Sanne", "sanne"),
            ("Daan", "daan"),
            ("Fleur", "fleur"),
            ("Joost", "joost"),
            ("Noor", "noor"),
        ],
        last: &[
            ("de Vries", "devries"),
            ("van den Berg", "vandenberg"),
            ("Jansen", "jansen"),
            ("Bakker", "bakker"),
            ("van Dijk", "vandijk"),
        ],
        cities: &[
            ("Amsterdam", "Noord-Holland", "1012 AB"),
            ("Rotterdam", "Zuid-Holland", "3011 AA"),
            ("Utrecht", "Utrecht", "3511 AA"),
        ],
        streets: &["Prinsengracht", "Kalverstraat", "Coolsingel", "Oudegracht"],
        domains: &["gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.nl"],
        phone: nl_phone,
    },
    Locale {
        country: "AU",
        language: "en",
        currency: "AUD",
        weight: 3,
        family_first: false,
        joined: false,
        first: &[
            ("Jack", "jack"),
            ("Charlotte", "charlotte"),
            ("Lachlan", "lachlan"),
            ("Mia", "mia"),
            ("Kirra", "kirra"),
        ],
        last: &[
            ("Nguyen", "nguyen"),
            ("Wilson", "wilson"),
            ("Kelly", "kelly"),
            ("Papadopoulos", "papadopoulos"),
            ("Murray", "murray"),
        ],
        cities: &[
            ("Sydney", "NSW", "2000"),
            ("Melbourne", "VIC", "3000"),
            ("Brisbane", "QLD", "4000"),
        ],
        streets: &[
            "George Street",
            "Collins Street",
            "Queen Street",
            "Beach Road",
        ],
        domains: &["gmail.com", "bigpond.com", "outlook.com.au", "icloud.com"],
        phone: au_phone,
    },
];

pub fn pick_locale(rng: &mut Rng) -> &'static Locale {
    let total: u64 = LOCALES.iter().map(|l| l.weight as u64).sum();
    let mut n = rng.below(total);
    for l in LOCALES {
        if n < l.weight as u64 {
            return l;
        }
        n -= l.weight as u64;
    }
    &LOCALES[0]
}

/// A name as written and the ASCII tokens for an email local part.
pub fn full_name(locale: &Locale, rng: &mut Rng) -> (String, String, String) {
    let first = rng.pick(locale.first);
    let last = rng.pick(locale.last);
    let display = if locale.joined {
        format!("{}{}", last.0, first.0)
    } else if locale.family_first {
        format!("{} {}", last.0, first.0)
    } else {
        format!("{} {}", first.0, last.0)
    };
    (display, first.1.to_string(), last.1.to_string())
}

const US_AREAS: &[&str] = &[
    "415", "212", "310", "512", "206", "312", "617", "404", "305", "720", "503", "602", "612",
    "646",
];

fn us_phone(rng: &mut Rng) -> String {
    let area = rng.pick(US_AREAS);
    let line = rng.digits(4);
    match rng.below(6) {
        0 => format!("+1 ({area}) 555-{line}"),
        1 => format!("{area}.555.{line}"),
        2 => format!("({area}) 555-{line}"),
        3 => format!("{area}-555-{line}"),
        4 => format!("+1{area}555{line}"),
        _ => format!("1-{area}-555-{line}"),
    }
}

fn gb_phone(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => format!("+44 20 7946 0{}", rng.digits(3)),
        1 => format!("+44 7700 900{}", rng.digits(3)),
        _ => format!("0044 161 496 0{}", rng.digits(3)),
    }
}

fn fr_phone(rng: &mut Rng) -> String {
    let d: Vec<String> = (0..4).map(|_| rng.digits(2)).collect();
    let lead = rng.pick(&["1", "6", "7"]);
    if rng.chance(0.7) {
        format!("+33 {lead} {} {} {} {}", d[0], d[1], d[2], d[3])
    } else {
        format!("+33{lead}{}{}{}{}", d[0], d[1], d[2], d[3])
    }
}

fn de_phone(rng: &mut Rng) -> String {
    if rng.chance(0.5) {
        format!("+49 30 {}", rng.digits(8))
    } else {
        format!("+49 151 {} {}", rng.digits(4), rng.digits(4))
    }
}

fn es_phone(rng: &mut Rng) -> String {
    format!("+34 6{} {} {}", rng.digits(2), rng.digits(3), rng.digits(3))
}

fn mx_phone(rng: &mut Rng) -> String {
    format!("+52 55 {} {}", rng.digits(4), rng.digits(4))
}

fn jp_phone(rng: &mut Rng) -> String {
    if rng.chance(0.5) {
        format!("+81 3-{}-{}", rng.digits(4), rng.digits(4))
    } else {
        format!("+81 90-{}-{}", rng.digits(4), rng.digits(4))
    }
}

fn cn_phone(rng: &mut Rng) -> String {
    format!("+86 138 {} {}", rng.digits(4), rng.digits(4))
}

fn kr_phone(rng: &mut Rng) -> String {
    format!("+82 10-{}-{}", rng.digits(4), rng.digits(4))
}

fn in_phone(rng: &mut Rng) -> String {
    format!("+91 9{} {}", rng.digits(4), rng.digits(5))
}

fn br_phone(rng: &mut Rng) -> String {
    format!("+55 11 9{}-{}", rng.digits(4), rng.digits(4))
}

fn pl_phone(rng: &mut Rng) -> String {
    format!("+48 5{} {} {}", rng.digits(2), rng.digits(3), rng.digits(3))
}

fn se_phone(rng: &mut Rng) -> String {
    format!(
        "+46 70 {} {} {}",
        rng.digits(3),
        rng.digits(2),
        rng.digits(2)
    )
}

fn nl_phone(rng: &mut Rng) -> String {
    format!("+31 6 {}", rng.digits(8))
}

fn au_phone(rng: &mut Rng) -> String {
    format!("+61 4{} {} {}", rng.digits(2), rng.digits(3), rng.digits(3))
}

/// Support agents, named as the platform shows them.
pub const AGENTS: &[&str] = &[
    "Dana Whitfield",
    "Omar Haddad",
    "Leilani Kahale",
    "Tomás Ibarra",
    "Grace Liu",
    "Ben Carter",
    "Aisha Bello",
    "Sven Halvorsen",
    "Rosa Delgado",
    "Kenji Mori",
    "Nadia Petrova",
    "Chris Okoye",
    "Hannah Schultz",
    "Marco Rossi",
    "Fatima Zahra",
    "Liam Byrne",
];
