"""matching.skills: the data file, the traps, a table of real job-ad phrases, positions, speed and
property tests."""

from __future__ import annotations

import re
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.skills import (
    CATEGORIES,
    Skill,
    SkillHit,
    _load,
    find_skills,
    fold,
    resolve,
    skills_of_offer,
    taxonomy,
)

DATA = Path(__file__).parents[2] / "matching" / "data" / "skills.toml"
RAW = tomllib.loads(DATA.read_text(encoding="utf-8"))["skill"]
FIELDS = {
    "id",
    "label",
    "category",
    "synonyms",
    "case_sensitive",
    "not_before",
    "not_after",
    "implies",
}


def ids(text: str | None, where: str = "description") -> set[str]:
    return {hit.skill for hit in find_skills(text, where)}


def texts(text: str, skill: str) -> list[str]:
    return [hit.text for hit in find_skills(text, "description") if hit.skill == skill]


def norm(name: str) -> str:
    # What the finder treats as the same name: folded, a hyphen read as a space, spaces squashed.
    return " ".join(fold(name).replace("-", " ").split())


def names(entry: dict) -> list[str]:
    return entry.get("synonyms", []) + entry.get("case_sensitive", [])


ALL_NAMES = sorted({name for entry in RAW for name in names(entry)})


# --- the data file ----------------------------------------------------------------------------


def test_at_least_90_skills_with_unique_slug_ids():
    all_ids = [entry["id"] for entry in RAW]
    assert len(all_ids) >= 90
    assert len(all_ids) == len(set(all_ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", sid) for sid in all_ids)


def test_every_entry_has_the_agreed_fields():
    for entry in RAW:
        assert set(entry) <= FIELDS, entry["id"]
        assert entry["label"].strip() and entry["category"] in CATEGORIES, entry["id"]
        assert entry.get("synonyms") or entry.get("case_sensitive"), entry["id"]
        for field in FIELDS - {"id", "label", "category"}:
            assert all(isinstance(v, str) and v.strip() for v in entry.get(field, [])), entry["id"]


def test_every_category_is_used():
    assert {entry["category"] for entry in RAW} == set(CATEGORIES)


def test_no_name_belongs_to_two_skills():
    owner: dict[str, str] = {}
    clashes = []
    for entry in RAW:
        for name in names(entry):
            first = owner.setdefault(norm(name), entry["id"])
            if first != entry["id"]:
                clashes.append((name, first, entry["id"]))
    assert clashes == []


def test_no_skill_lists_the_same_name_twice():
    for entry in RAW:
        keys = [norm(name) for name in names(entry)]
        twice = {k for k in keys if keys.count(k) > 1}
        # Only a case-sensitive acronym written two ways ("Llama", "LLaMA") may share a key.
        assert all(
            k in {norm(c) for c in entry.get("case_sensitive", [])}
            and k not in {norm(s) for s in entry.get("synonyms", [])}
            for k in twice
        ), (entry["id"], twice)


def test_case_sensitive_names_are_single_words():
    for entry in RAW:
        for acronym in entry.get("case_sensitive", []):
            assert " " not in acronym and "-" not in acronym, (entry["id"], acronym)


@pytest.mark.parametrize("entry", RAW, ids=[entry["id"] for entry in RAW])
def test_every_name_resolves_to_its_own_skill(entry):
    sid = entry["id"]
    assert resolve(sid) == sid
    assert resolve(entry["label"]) == sid
    for name in names(entry):
        assert resolve(name) == sid, name
        assert resolve(name.upper()) == sid, name


@pytest.mark.parametrize("entry", RAW, ids=[entry["id"] for entry in RAW])
def test_every_name_is_found_in_a_sentence_as_a_whole(entry):
    for name in names(entry):
        sentence = f"Compétences : {name} ; autres"
        hits = find_skills(sentence, "description")
        assert [(h.skill, h.text) for h in hits] == [(entry["id"], name)], name


def test_taxonomy_matches_the_file():
    skills = taxonomy()
    assert list(skills) == [entry["id"] for entry in RAW]
    assert skills["dialogflow"] == Skill("dialogflow", "Dialogflow", "platform")
    with pytest.raises(TypeError):  # read-only: the cached taxonomy is not the caller's to change
        skills["dialogflow"] = None
    assert taxonomy()["dialogflow"].label == "Dialogflow"


def test_the_loader_refuses_a_name_given_to_two_skills():
    raw = {
        "skill": [
            {"id": "a", "label": "A", "category": "tech", "synonyms": ["same name"]},
            {"id": "b", "label": "B", "category": "tech", "synonyms": ["Same-Name"]},
        ]
    }
    with pytest.raises(ValueError, match="already names a"):
        _load(raw)


def test_the_loader_refuses_an_unknown_category():
    with pytest.raises(ValueError, match="unknown category"):
        _load({"skill": [{"id": "a", "label": "A", "category": "misc", "synonyms": ["x"]}]})


# --- role terms -------------------------------------------------------------------------------

ROLE_TERMS = [
    ("chatbot", "chatbot"),
    ("chatbots", "chatbot"),
    ("chat bot", "chatbot"),
    ("chat-bot", "chatbot"),
    ("agent conversationnel", "chatbot"),
    ("agents conversationnels", "chatbot"),
    ("assistant virtuel", "chatbot"),
    ("assistant conversationnel", "chatbot"),
    ("bot conversationnel", "chatbot"),
    ("agent virtuel", "chatbot"),
    ("conversational agent", "chatbot"),
    ("virtual assistant", "chatbot"),
    ("bot", "chatbot"),
    ("bots", "chatbot"),
    ("voicebot", "voicebot"),
    ("voice bot", "voicebot"),
    ("callbot", "voicebot"),
    ("callbots", "voicebot"),
    ("conversational AI", "conversational_ai"),
    ("IA conversationnelle", "conversational_ai"),
    ("intelligence artificielle conversationnelle", "conversational_ai"),
    ("conversation designer", "conversation_design"),
    ("product owner", "product_ownership"),
    ("chef de projet", "project_management"),
    ("chargé de projet", "project_management"),
    ("Chargé(e) de projet", "project_management"),
]


@pytest.mark.parametrize(("term", "expected"), ROLE_TERMS)
def test_role_term(term, expected):
    for text in (f"Nous recrutons : {term} (H/F)", term.upper(), term.capitalize()):
        hits = find_skills(text, "title")
        assert [h.skill for h in hits] == [expected], text
        assert hits[0].text.lower() == term.lower()


# --- traps: each must not fire ----------------------------------------------------------------

TRAPS = [
    # TAL only as the capital acronym, never inside a word
    ("total", "nlp"),
    ("Le capital social", "nlp"),
    ("TOTAL", "nlp"),
    ("TALEND et Talend Studio", "nlp"),
    ("Cubes OLAP", "nlp"),
    ("OLAP", "nlp"),
    ("DIGITAL", "nlp"),
    ("Tal Cohen, responsable", "nlp"),
    ("tal", "nlp"),
    # bot only as a word of its own
    ("robot", "chatbot"),
    ("Robotique industrielle", "chatbot"),
    ("ROBOTIQUE", "chatbot"),
    ("Botanic recrute", "chatbot"),
    ("bottom-up", "chatbot"),
    ("Abbot", "chatbot"),
    ("contact : bot@exemple.fr", "chatbot"),
    ("bots RPA", "chatbot"),
    # node only as the runtime
    ("Node", "nodejs"),
    ("chaque node du graphe", "nodejs"),
    ("noeud", "nodejs"),
    ("nœud", "nodejs"),
    # Lex never alone
    ("Lex", "amazon_lex"),
    ("Lex Luthor", "amazon_lex"),
    ("lexique métier", "amazon_lex"),
    ("Alexa", "amazon_lex"),
    # IA only as a word of its own, in capitals
    ("social", "artificial_intelligence"),
    ("média", "artificial_intelligence"),
    ("Maria", "artificial_intelligence"),
    ("MARIA", "artificial_intelligence"),
    ("SOCIAL", "artificial_intelligence"),
    ("ia", "artificial_intelligence"),
    ("Ia", "artificial_intelligence"),
    ("j'ai", "artificial_intelligence"),
    ("J'AI TROUVÉ", "artificial_intelligence"),
    ("ai", "artificial_intelligence"),
    # PO only as standalone capitals
    ("POste", "product_ownership"),
    ("poste", "product_ownership"),
    ("Point", "product_ownership"),
    ("PO Box 42", "product_ownership"),
    ("P.O. Box 42", "product_ownership"),
    ("P.O.", "product_ownership"),
    ("po", "product_ownership"),
    ("Po", "product_ownership"),
    ("POC", "product_ownership"),
    # Java is not JavaScript
    ("JavaScript", "java"),
    ("javascript", "java"),
    # R and Go are left out
    ("R", "r_language"),
    ("R&D", "r_language"),
    ("langage Ruby", "r_language"),
    # Rasa only as the name
    ("rasant", "rasa"),
    ("Rasai", "rasa"),
    ("www.rasa.com", "rasa"),
    # RAG only as the capital acronym
    ("RAGE", "rag"),
    ("stockage", "rag"),
    ("ragoût", "rag"),
    ("garage", "rag"),
    ("rag", "rag"),
    # UX standalone capitals only
    ("deux", "ux_design"),
    ("aux", "ux_design"),
    ("LUXE", "ux_design"),
    ("ux", "ux_design"),
    # Git not inside words
    ("digit", "git"),
    ("digital", "git"),
    ("légitime", "git"),
    # SQL inside NoSQL is NoSQL
    ("NoSQL", "sql"),
    # symbols
    ("ABC#", "csharp"),
    ("www.exemple.net", "csharp"),
    # Tableau the software, not a table
    ("un tableau", "tableau"),
    ("Tableau de bord", "tableau"),
    ("Tableau récapitulatif", "tableau"),
    ("le Tableau", "tableau"),
    # Confluence the wiki, not the Lyon district
    ("Bureaux à Lyon Confluence", "confluence"),
    ("à la confluence des métiers", "confluence"),
    # Notion the tool, not a notion
    ("Notions de Python", "project_tools"),
    ("Notion de base", "project_tools"),
    ("des notions", "project_tools"),
    # a wind, a first name, a verb
    ("le mistral souffle", "mistral_ai"),
    ("Université Claude Bernard", "anthropic_claude"),
    ("How users react", "react"),
    # being supervised is not supervising
    ("sous l'encadrement du chef de projet", "team_management"),
    # PM as time of day
    ("9 AM - 6 PM", "product_management"),
    # SAFe only as written
    ("safe", "safe"),
    ("SAFE", "safe"),
    # a language level is not the field; a verb is not a spreadsheet
    ("Conversational English required", "conversational_ai"),
    ("Anglais conversationnel", "conversational_ai"),
    ("You will excel at stakeholder management", "excel"),
]


@pytest.mark.parametrize(("text", "skill"), TRAPS)
def test_trap_does_not_fire(text, skill):
    assert skill not in ids(text), text


@pytest.mark.parametrize(
    "text",
    [
        "total capital OLAP TALEND métal",
        "robot robotique Botanic bottom",
        "Node node noeud",
        "Lex lexique",
        "social média Maria",
        "POste Point P.O.",
        "rasant Rasai RAGE stockage ragoût",
        "deux aux digit",
    ],
)
def test_trap_sentence_has_no_skill_at_all(text):
    assert find_skills(text, "description") == []


def test_chatbot_is_chatbot_not_bot():
    hits = find_skills("Chef de projet chatbot", "title")
    assert [(h.skill, h.text) for h in hits if h.skill == "chatbot"] == [("chatbot", "chatbot")]
    assert all(h.text.lower() != "bot" for h in hits)


@pytest.mark.parametrize(
    ("text", "skill", "expected"),
    [
        ("Expert Dialogflow CX", "dialogflow", ["Dialogflow CX"]),
        ("Dialogflow", "dialogflow", ["Dialogflow"]),
        ("Microsoft Bot Framework", "bot_framework", ["Microsoft Bot Framework"]),
        ("l'IA et l'I.A.", "artificial_intelligence", ["IA", "I.A."]),
        ("IA", "artificial_intelligence", ["IA"]),
        ("PO / PPO", "product_ownership", ["PO", "PPO"]),
        ("le PO.", "product_ownership", ["PO"]),
        ("TAL, TALN", "nlp", ["TAL", "TALN"]),
        ("Java/JavaScript", "java", ["Java"]),
        ("Java/JavaScript", "javascript", ["JavaScript"]),
        ("Node.js, NodeJS", "nodejs", ["Node.js", "NodeJS"]),
        ("langage R", "r_language", ["langage R"]),
        ("Rasa", "rasa", ["Rasa"]),
        ("RAG", "rag", ["RAG"]),
        ("UX, UX/UI", "ux_design", ["UX", "UX/UI"]),
        ("UX / UI", "ux_design", ["UX / UI"]),
        ("Git, GitHub", "git", ["Git", "GitHub"]),
        ("SQL, PostgreSQL", "sql", ["SQL", "PostgreSQL"]),
        ("Scrum", "scrum", ["Scrum"]),
        ("Agile, agilité", "agile", ["Agile", "agilité"]),
        ("C#, .NET", "csharp", ["C#", ".NET"]),
        ("ASP.NET", "csharp", ["ASP.NET"]),
        ("Power BI ou Tableau", "tableau", ["Tableau"]),
        ("Alexa", "voice_assistants", ["Alexa"]),
        ("LLaMA et Llama 3", "meta_llama", ["LLaMA", "Llama 3"]),
        ("SAFe", "safe", ["SAFe"]),
    ],
)
def test_what_the_traps_still_let_through(text, skill, expected):
    assert texts(text, skill) == expected


def test_longest_name_wins():
    hits = find_skills("Gestion de la relation client et relation client", "description")
    assert [(h.skill, h.text) for h in hits] == [
        ("crm", "Gestion de la relation client"),
        ("customer_service", "relation client"),
    ]
    hits = find_skills("Azure Bot Service", "description")
    assert [h.skill for h in hits] == ["bot_framework"]


def test_a_hyphen_reads_as_a_space_and_back():
    assert texts("speech to text, speech-to-text", "speech_to_text") == [
        "speech to text",
        "speech-to-text",
    ]
    assert texts("responsable-conversational-ai-h-f", "conversational_ai") == ["conversational-ai"]
    assert texts("GPT-4, GPT 4o", "openai") == ["GPT-4", "GPT 4o"]


def test_typographic_apostrophes_and_accents_are_read_plain():
    assert texts("esprit d’analyse, ESPRIT D'ANALYSE", "analytical_skills") == [
        "esprit d’analyse",
        "ESPRIT D'ANALYSE",
    ]
    assert texts("Gestion de projet, GESTION DE PROJET, gestion de projét", "project_management")


# --- the table of job-ad phrases --------------------------------------------------------------

PHRASES = [
    ("Chargé de projet chatbot H/F", {"project_management", "chatbot"}),
    ("Chef de projet IA conversationnelle (F/H)", {"project_management", "conversational_ai"}),
    ("Product Owner Chatbot - CDI - Paris", {"product_ownership", "chatbot"}),
    ("Conversation designer confirmé(e)", {"conversation_design"}),
    ("Lead voicebot / callbot", {"voicebot"}),
    (
        "Vous piloterez la refonte de notre assistant virtuel sur Dialogflow CX.",
        {"chatbot", "dialogflow"},
    ),
    ("Expérience significative sur Rasa Open Source ou Rasa Pro exigée.", {"rasa"}),
    (
        "Maîtrise de Microsoft Copilot Studio (ex Power Virtual Agents) appréciée.",
        {"copilot_studio"},
    ),
    (
        "Vous intégrez le bot à Azure Bot Service et au Bot Framework Composer.",
        {"chatbot", "bot_framework"},
    ),
    ("Connaissance d'IBM watsonx Assistant ou de Watson Assistant.", {"watsonx_assistant"}),
    (
        "Vous travaillerez avec Amazon Lex et Amazon Connect pour le callbot.",
        {"amazon_lex", "amazon_connect", "voicebot"},
    ),
    (
        "Déploiement sur Google CCAI (Contact Center AI) et Dialogflow ES.",
        {"google_ccai", "dialogflow"},
    ),
    (
        "Plateformes : Kore.ai, Yellow.ai, Cognigy, Inbenta, Botpress.",
        {"kore_ai", "yellow_ai", "cognigy", "inbenta", "botpress"},
    ),
    ("Intégration Zendesk et Genesys Cloud CX.", {"zendesk", "genesys"}),
    (
        "Bonne connaissance des LLM (GPT-4, Mistral, Claude 3) et du RAG.",
        {"llm", "openai", "mistral_ai", "anthropic_claude", "rag"},
    ),
    (
        "Vous concevez des solutions d'IA générative (GenAI) et de prompt engineering.",
        {"generative_ai", "prompt_engineering"},
    ),
    (
        "Stack : Python, LangChain, embeddings, base de données vectorielle (Qdrant).",
        {"python", "langchain", "embeddings", "vector_database"},
    ),
    ("Fine-tuning de modèles open source via Hugging Face.", {"fine_tuning", "huggingface"}),
    ("Expertise en NLP / NLU : détection d'intentions, entités nommées.", {"nlp", "nlu"}),
    ("Une formation en TAL (traitement automatique des langues) est un plus.", {"nlp"}),
    (
        "Intégration d'un callbot avec reconnaissance vocale (ASR) et synthèse vocale (TTS).",
        {"voicebot", "speech_to_text", "text_to_speech"},
    ),
    ("Remplacement du SVI (serveur vocal interactif) par un voicebot.", {"ivr", "voicebot"}),
    (
        "Développement en Node.js et TypeScript, API REST et webhooks.",
        {"nodejs", "typescript", "rest_api", "webhooks"},
    ),
    ("Bonne maîtrise de JavaScript ; Java apprécié.", {"javascript", "java"}),
    ("Manipulation de JSON, requêtes SQL, versioning Git.", {"json", "sql", "git"}),
    (
        "Déploiement sous Docker et Kubernetes sur Azure, AWS ou GCP.",
        {"docker", "kubernetes", "azure", "aws", "gcp"},
    ),
    ("Notions de machine learning et d'apprentissage automatique.", {"machine_learning"}),
    (
        "Analyse de données et suivi des KPI sous Power BI ou Tableau.",
        {"data_analysis", "kpi", "power_bi", "tableau"},
    ),
    (
        "Gestion de projet en méthodologie agile (Scrum, sprints de deux semaines).",
        {"project_management", "agile", "scrum"},
    ),
    ("Expérience en pilotage de projet et conduite de projet digital.", {"project_management"}),
    (
        "Vous êtes Product Owner (PO) et gérez le backlog et les user stories.",
        {"product_ownership", "backlog", "user_stories"},
    ),
    ("Vous construisez la roadmap produit avec les équipes métier.", {"product_roadmap"}),
    ("Outils : Jira, Confluence.", {"jira", "confluence"}),
    (
        "Vous intervenez en AMOA : recette, tests fonctionnels, rédaction du cahier des charges.",
        {"amoa", "acceptance_testing", "writing", "specifications"},
    ),
    (
        "Rédaction des spécifications fonctionnelles et expression de besoin.",
        {"writing", "specifications", "requirements"},
    ),
    ("Compétences UX/UI et expérience utilisateur.", {"ux_design"}),
    (
        "Vous maîtrisez le conversation design et l'UX writing.",
        {"conversation_design", "ux_writing"},
    ),
    (
        "Rédaction conversationnelle et conception des parcours utilisateurs sur Figma.",
        {"ux_writing", "user_journey", "figma"},
    ),
    (
        "Ateliers de design thinking et tests utilisateurs réguliers.",
        {"workshop_facilitation", "design_thinking", "user_testing"},
    ),
    (
        "Vous connaissez la relation client et le fonctionnement d'un centre de contact.",
        {"customer_service", "contact_center"},
    ),
    ("Expérience d'un CRM (Salesforce Service Cloud).", {"crm", "salesforce"}),
    (
        "Vous portez le selfcare et la conduite du changement auprès des conseillers.",
        {"selfcare", "change_management"},
    ),
    (
        "Qualités attendues : rigueur, autonomie, esprit d'analyse et force de proposition.",
        {"rigour", "autonomy", "analytical_skills", "proactivity"},
    ),
    (
        "Excellentes qualités rédactionnelles et aisance relationnelle.",
        {"writing", "communication"},
    ),
    (
        "Sens de l'organisation, travail en équipe, pédagogie et curiosité.",
        {"organisation", "teamwork", "pedagogy", "curiosity"},
    ),
    (
        "Capacité d'adaptation, leadership et sens du service.",
        {"adaptability", "leadership", "service_orientation"},
    ),
    (
        "Anglais courant exigé, capacité de négociation avec les éditeurs.",
        {"english", "negotiation"},
    ),
    ("Vous veillez au respect du RGPD et de l'accessibilité (RGAA).", {"gdpr", "accessibility"}),
    (
        "We are looking for a Conversational AI Product Manager with hands-on experience of LLMs.",
        {"conversational_ai", "product_management", "llm"},
    ),
    (
        "You will own the roadmap of our virtual agent and work with the customer service team.",
        {"product_roadmap", "chatbot", "customer_service"},
    ),
    (
        "Strong knowledge of natural language understanding and prompt engineering is a must.",
        {"nlu", "prompt_engineering"},
    ),
    (
        "Experience with retrieval-augmented generation and vector databases.",
        {"rag", "vector_database"},
    ),
    ("Excellent communication skills and fluent English required.", {"communication", "english"}),
    ("Experience with Microsoft Bot Framework and Azure OpenAI.", {"bot_framework", "openai"}),
    (
        "Familiarity with speech-to-text and text-to-speech engines for IVR modernisation.",
        {"speech_to_text", "text_to_speech", "ivr"},
    ),
    (
        "Teamwork, curiosity and problem solving are key.",
        {"teamwork", "curiosity", "problem_solving"},
    ),
    (
        "Vous animez les comités de pilotage et suivez le budget avec les prestataires.",
        {"workshop_facilitation"},
    ),
    (
        "Suivi des indicateurs : taux de compréhension, taux de résolution, CSAT.",
        {"kpi", "conversation_analytics"},
    ),
    (
        "Gestion de l'escalade vers un conseiller et de la base de connaissances.",
        {"human_handover", "knowledge_base"},
    ),
    (
        "Déploiement omnicanal : WhatsApp, Messenger et chat en ligne.",
        {"omnichannel", "messaging_channels", "live_chat"},
    ),
    (
        "Vous devrez entraîner le chatbot et analyser les conversations.",
        {"bot_training", "conversation_analytics"},
    ),
    (
        "Stage - Assistant chef de projet chatbot & IA générative",
        {"project_management", "chatbot", "generative_ai"},
    ),
    ("Alternance - Chargé(e) de projet agent conversationnel", {"project_management", "chatbot"}),
    ("Consultant AMOA Chatbot / Voicebot (H/F)", {"amoa", "chatbot", "voicebot"}),
    ("Ingénieur NLP / LLM - Agents IA", {"nlp", "llm", "ai_agents"}),
    (
        "Vous concevez des agents IA avec LangGraph et le protocole MCP.",
        {"ai_agents", "langchain"},
    ),
    ("Connaissance des méthodes agiles (SAFe, Kanban) appréciée.", {"agile", "safe", "kanban"}),
    ("Maîtrise de la suite Office, notamment Excel.", {"excel"}),
    ("La connaissance d'Alexa ou de Google Assistant est un plus.", {"voice_assistants"}),
    (
        "Vous serez en charge du déploiement d'une IA de confiance conforme à l'AI Act.",
        {"ai_regulation"},
    ),
    ("Tableau de bord de suivi du chatbot sous Looker Studio.", {"data_visualisation", "chatbot"}),
    ("Vous avez des notions de Python et de Node.js.", {"python", "nodejs"}),
    ("Poste basé à Lyon Confluence, télétravail partiel.", set()),
    ("Le robot de la chaîne robotique est contrôlé par un automate.", set()),
]


def test_the_table_is_long_enough():
    assert len(PHRASES) >= 60


@pytest.mark.parametrize(("text", "expected"), PHRASES)
def test_phrase(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize(("text", "expected"), PHRASES)
def test_phrase_hits_point_into_the_text(text, expected):
    hits = find_skills(text, "description")
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text
        assert hit.where == "description"
    spans = [(h.start, h.end) for h in hits]
    assert spans == sorted(spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))


# --- resolve ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Gestion de projet", "project_management"),
        ("GESTION DE PROJET", "project_management"),
        ("gestion de projét", "project_management"),
        ("  gestion   de projet  ", "project_management"),
        ("project_management", "project_management"),
        ("Dialogflow CX", "dialogflow"),
        ("dialogflow", "dialogflow"),
        ("nlu", "nlu"),
        ("ia", "artificial_intelligence"),
        ("po", "product_ownership"),
        ("Relation client", "customer_service"),
        ("Anglais", "english"),
        ("Piloter un projet", "project_management"),
        ("Concevoir des parcours utilisateurs", "user_journey"),
        ("Python.", "python"),
        ("- Rasa;", "rasa"),
        ("speech to text", "speech_to_text"),
        ("Node.js", "nodejs"),
        ("Excel", "excel"),
        ("node", None),
        ("Lex", None),
        ("cuisine", None),
        ("", None),
        ("   ", None),
        ("Rasa, Python", None),
    ],
)
def test_resolve(name, expected):
    assert resolve(name) == expected


def test_resolve_refuses_a_non_string():
    assert resolve(None) is None  # type: ignore[arg-type]
    assert resolve(42) is None  # type: ignore[arg-type]


# --- skills_of_offer --------------------------------------------------------------------------


def test_skills_of_offer_title_first_then_description_then_stated():
    found = skills_of_offer(
        "Chef de projet chatbot",
        "Vous pilotez le chatbot sur Dialogflow CX avec une équipe Python.",
        ["Gestion de projet", "Dialogflow", "Relation client"],
    )
    assert list(found)[:2] == ["project_management", "chatbot"]
    assert [h.where for h in found["chatbot"]] == ["title", "description"]
    assert found["project_management"] == [
        SkillHit("project_management", "title", 0, 14, "Chef de projet"),
        SkillHit("project_management", "stated", 0, 1, "Gestion de projet"),
    ]
    assert [h.where for h in found["dialogflow"]] == ["description", "stated"]
    assert found["dialogflow"][1] == SkillHit("dialogflow", "stated", 1, 2, "Dialogflow")
    assert found["customer_service"] == [
        SkillHit("customer_service", "stated", 2, 3, "Relation client")
    ]
    assert found["python"][0].where == "description"


def test_a_longer_stated_phrase_is_read_for_skills():
    found = skills_of_offer(
        None,
        None,
        [
            "Rédiger un cahier des charges, des spécifications techniques",
            "Analyser les besoins du client",
            "Réaliser des recettes fonctionnelles et techniques",
            "Accompagner les utilisateurs dans la prise en main d'un outil",
            "Définir des axes d'amélioration",
            "Animer une réunion",
            "gestion de projet agile",
        ],
    )
    assert found["specifications"] == [
        SkillHit("specifications", "stated", 0, 1, "Rédiger un cahier des charges")
    ]
    assert found["requirements"][0].start == 1
    assert found["acceptance_testing"][0].start == 2
    assert found["user_training"][0].start == 3
    assert found["continuous_improvement"][0].start == 4
    assert found["workshop_facilitation"][0].start == 5
    assert [h.start for h in found["project_management"]] == [6]
    assert [h.start for h in found["agile"]] == [6]


def test_skills_of_offer_with_nothing():
    assert skills_of_offer(None, None, None) == {}
    assert skills_of_offer("", "", []) == {}
    assert skills_of_offer(None, None, ["", "  ", "cuisine"]) == {}


def test_a_stated_string_is_one_item():
    found = skills_of_offer(None, None, "Rasa, Python, NLU, Docker")  # type: ignore[arg-type]
    assert set(found) == {"rasa", "python", "nlu", "docker"}
    assert all(h.where == "stated" and h.start == 0 for hits in found.values() for h in hits)


# --- find_skills edges ------------------------------------------------------------------------


def test_nothing_in_nothing():
    assert find_skills(None, "title") == []
    assert find_skills("", "description") == []


def test_where_is_checked():
    with pytest.raises(ValueError):
        find_skills("chatbot", "body")


def test_where_is_carried():
    assert find_skills("Rasa", "stated") == [SkillHit("rasa", "stated", 0, 4, "Rasa")]


def test_positions_survive_characters_that_fold_oddly():
    text = "İstanbul ß ﬁ 🤖 Chef de\u00a0projet\u202fchatbot, cœur, e\u0301quipe, l’IA"
    assert len(fold(text)) == len(text)
    hits = find_skills(text, "description")
    assert [h.skill for h in hits] == ["project_management", "chatbot", "artificial_intelligence"]
    for hit in hits:
        assert text[hit.start : hit.end] == hit.text


def test_fold_is_one_character_for_one():
    assert fold("Éléonore’s CHATBOT — Dialogflow") == "eleonore's chatbot - dialogflow"
    assert fold("İ") == "i"


# --- speed ------------------------------------------------------------------------------------

SAMPLE = " ".join(text for text, _ in PHRASES)


def test_a_5000_character_description_takes_a_few_milliseconds():
    text = (SAMPLE * 2)[:5000]
    find_skills(text, "description")  # the automaton is built once, outside the timing
    began = time.perf_counter()
    for _ in range(20):
        find_skills(text, "description")
    assert (time.perf_counter() - began) / 20 < 0.02


@pytest.mark.parametrize(
    "text",
    [
        (SAMPLE * 40)[:200_000],
        "a" * 200_000,
        "IA " * 66_000,
        "po " * 66_000,
        "-" * 200_000,
        " " * 199_990 + "chatbot",
        "Tableau " * 25_000,
    ],
    ids=["ads", "letters", "acronyms", "rejected", "dashes", "spaces", "context"],
)
def test_200000_characters_in_linear_time(text):
    began = time.perf_counter()
    hits = find_skills(text, "description")
    assert time.perf_counter() - began < 3
    assert all(0 <= h.start < h.end <= len(text) for h in hits)


# --- properties -------------------------------------------------------------------------------

WORDY = st.lists(
    st.one_of(
        st.sampled_from(ALL_NAMES),
        st.text(max_size=6),
        st.sampled_from([" ", "-", "'", "’", ".", "@", "/", "(", ")", "É", "İ", "\u0301"]),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), WORDY), st.sampled_from(["title", "description", "stated"]))
def test_any_text_never_raises_and_spans_stay_inside(text, where):
    hits = find_skills(text, where)
    previous_end = 0
    for hit in hits:
        assert 0 <= hit.start < hit.end <= len(text)
        assert text[hit.start : hit.end] == hit.text
        assert hit.start >= previous_end
        assert hit.where == where and hit.skill in taxonomy()
        previous_end = hit.end


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_fold_keeps_the_length(text):
    assert len(fold(text)) == len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), WORDY, st.lists(st.text(max_size=40), max_size=5))
def test_skills_of_offer_never_raises(title, description, stated):
    found = skills_of_offer(title, description, stated)
    for sid, hits in found.items():
        assert hits and all(h.skill == sid for h in hits)


def test_implied_skills_exist_and_are_broader():
    skills = taxonomy()
    assert "artificial_intelligence" in skills["conversational_ai"].implies
    for skill in skills.values():
        assert skill.id not in skill.implies
        assert all(other in skills for other in skill.implies)
